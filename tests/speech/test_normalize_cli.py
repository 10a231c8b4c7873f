"""`broadcaster normalize` prints the speakable form, from an argument or stdin, with the station's dictionary."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from broadcaster.cli import main


def test_normalize_argument(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["normalize", "Kế hoạch số 09/KH-UBND ngày 24/01/2024", "--station", str(tmp_path)]) == 0
    assert capsys.readouterr().out == (
        "Kế hoạch số chín ngày hai mươi tư tháng một năm hai nghìn không trăm hai mươi tư của ủy ban nhân dân\n"
    )


@pytest.mark.parametrize("argv", [["normalize"], ["normalize", "-"]])
def test_normalize_reads_stdin(argv: list[str], capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("I. MỤC ĐÍCH\nGọi 0912 345 678 lúc 7h30\n"))
    assert main([*argv, "--station", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "một. mục đích.\nGọi không chín một hai, ba bốn năm, sáu bảy tám lúc bảy giờ " \
                                      "ba mươi phút\n"


def test_normalize_uses_the_sample_station_dictionary(sample_station_dir: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["normalize", "BQL NVH thôn Đông", "--station", str(sample_station_dir)]) == 0
    assert capsys.readouterr().out == "ban quản lý nhà văn hóa thôn Đông\n"


def test_normalize_with_a_broken_station_dictionary_says_where(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pronunciations.yaml").write_text("abbreviations:\n  BQL: 12\n", encoding="utf-8")
    assert main(["normalize", "BQL", "--station", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("lỗi: ") and "pronunciations.yaml:2: abbreviations.BQL:" in err and "chữ số" in err
