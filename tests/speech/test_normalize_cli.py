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


def test_explain_names_the_rule_and_the_dictionary_entry(sample_station_dir: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    text = "BQL NVH thôn Đông họp lúc 7h30, phí 50k, Số: 09/KH-UBND"
    assert main(["normalize", "--explain", text, "--station", str(sample_station_dir)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].strip() == ("ban quản lý nhà văn hóa thôn Đông họp lúc bảy giờ ba mươi phút, phí năm "
                                           "mươi nghìn đồng, Kế hoạch số chín của ủy ban nhân dân")
    # the station's own entry is told apart from the built-in ones, so the officer knows which file to edit
    assert "«BQL» → «ban quản lý»" in out and "abbreviations: BQL (của đài)" in out
    assert "«7h30» → «bảy giờ ba mươi phút»" in out and "quy tắc: giờ" in out
    assert "doc_types (loại văn bản): KH (có sẵn)" in out and "issuers (cơ quan ban hành): UBND (có sẵn)" in out
    assert "«50k» → «năm mươi nghìn đồng»" in out
    assert "pronunciations.yaml" in out.splitlines()[-1]


def test_explain_of_plain_text_says_nothing_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["normalize", "--explain", "Bà con chú ý", "--station", str(tmp_path)]) == 0
    assert "Không có phần nào phải đổi" in capsys.readouterr().out
