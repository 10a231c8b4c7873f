"""Writing and approving bulletins in the desk: the file stays the source of truth (round-trip, atomic,
conflict-refusing), approval binds to content and the plan follows it, four eyes, preview and "Nghe thử"."""

from __future__ import annotations

import re
import subprocess
from datetime import date

from broadcaster.build import plan_loaded
from broadcaster.config import check_station, is_error, load_bulletins, load_station
from tests.web.conftest import DeskApp

FILE = "2026-tiep-cong-dan"


def _form(client, bulletin_id: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = client.get(f"/ban-tin/{bulletin_id}").text
    return {"csrf": re.search(r'name="csrf" value="([^"]+)"', page).group(1),  # type: ignore[union-attr]
            "sha": re.search(r'name="sha" value="([^"]*)"', page).group(1)}  # type: ignore[union-attr]


def _fields(**over: str) -> dict[str, str]:
    return {"title": "Lịch tiếp công dân", "topic": "thong-bao", "priority": "normal", "all_zones": "1",
            "per_day": "1", "text": "Chủ tịch UBND xã tiếp công dân vào sáng thứ Năm hằng tuần.", **over}


def _planned(desk_app: DeskApp, day: date = date(2026, 12, 3)) -> dict[str, str]:
    """Bulletin id -> '' when it is in the plan, or the reason it is left out."""
    station = load_station(desk_app.root)
    bulletins, _ = load_bulletins(station)
    result = plan_loaded(station, bulletins, day, day).result
    out = {s.bulletin_id: s.reason for s in result.excluded}
    for p in result.programmes:
        for item in p.items:
            out[item.bulletin_id] = ""
    return out


def test_a_save_keeps_comments_and_untouched_keys(desk_app: DeskApp) -> None:
    client = desk_app.login("bientap")
    path = desk_app.root / "bulletins" / f"{FILE}.yaml"
    r = client.post(f"/ban-tin/{FILE}", data={**_form(client, FILE), **_fields(title="Lịch tiếp công dân tháng 12")})
    assert r.status_code == 303 and r.headers["location"] == f"/ban-tin/{FILE}?xong=saved"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Ghi chú viết tay: giữ nguyên khi lưu trên bàn làm việc\n")
    assert "title: Lịch tiếp công dân tháng 12\n" in text and "approved_at: 2026-11-20 08:00\n" in text
    assert not list(path.parent.glob(".*.tmp"))  # the temporary file was renamed, none left behind
    # a title is not what airs: the approval still holds
    assert _planned(desk_app)[FILE] == ""


def test_changing_what_airs_sends_it_back_for_approval_until_approved_again(desk_app: DeskApp) -> None:
    assert _planned(desk_app)[FILE] == ""
    editor = desk_app.login("bientap")
    new_text = "Chủ tịch UBND xã tiếp công dân vào sáng thứ Sáu hằng tuần, từ 7 giờ 30."
    r = editor.post(f"/ban-tin/{FILE}", data={**_form(editor, FILE), **_fields(text=new_text)})
    assert r.status_code == 303
    assert _planned(desk_app)[FILE] == "nội dung đã thay đổi sau khi duyệt lúc 08:00 20/11/2026, cần duyệt lại"
    page = editor.get("/ban-tin").text
    assert "chờ duyệt lại" in page
    notices = [p for p in check_station(desk_app.root) if FILE in p.file and p.key == "approved_hash"]
    assert notices and not is_error(notices[0]) and "cần duyệt lại" in notices[0].message
    approver = desk_app.login("duyet", client=desk_app.new_client())
    r = approver.post(f"/ban-tin/{FILE}/duyet", data={**_form(approver, FILE), "decision": "approve"})
    assert r.status_code == 303, r.text[:500]
    assert _planned(desk_app)[FILE] == ""
    bulletin = {b.id: b for b in load_bulletins(load_station(desk_app.root))[0]}[FILE]
    assert bulletin.approved_account == "duyet" and bulletin.approved_hash == bulletin.content_key
    audit = desk_app.desk.store.audit_entries(action="approve")[0][0]
    assert audit.who == "duyet" and audit.hash_after == bulletin.content_key


def test_a_hand_edit_after_approval_is_caught_too(desk_app: DeskApp) -> None:
    path = desk_app.root / "bulletins" / f"{FILE}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("# Ghi chú", "# Ghi chú mới"), encoding="utf-8")
    assert _planned(desk_app)[FILE] == ""  # a comment is not content
    path.write_text(text.replace("topic: thong-bao", "topic: thong-bao\nzones: [dong]"),
                    encoding="utf-8")
    assert "cần duyệt lại" in _planned(desk_app)[FILE]


def test_four_eyes_the_writer_cannot_approve_and_switching_it_off_is_audited(desk_app: DeskApp) -> None:
    writer = desk_app.login("duyet")  # an approver who writes a bulletin...
    r = writer.post("/ban-tin/moi", data={"csrf": desk_app.page_csrf(writer), "sha": "",
                                          **_fields(title="Họp thôn Đông", text="Tối nay thôn Đông họp lúc 19 giờ.")})
    assert r.status_code == 303
    new_id = r.headers["location"].split("/")[-1].split("?")[0]
    assert new_id == "2026-hop-thon-dong"
    page = writer.get(f"/ban-tin/{new_id}").text
    assert "nguyên tắc bốn mắt" in page
    r = writer.post(f"/ban-tin/{new_id}/duyet", data={**_form(writer, new_id), "decision": "approve"})
    assert r.status_code == 400 and "cần một người duyệt khác" in r.text  # ...cannot approve it
    assert _planned(desk_app)[new_id].startswith("chưa được duyệt")
    station_yaml = desk_app.root / "station.yaml"
    station_yaml.write_text(station_yaml.read_text(encoding="utf-8") + "desk:\n  four_eyes: false\n", encoding="utf-8")
    r = writer.post(f"/ban-tin/{new_id}/duyet", data={**_form(writer, new_id), "decision": "approve"})
    assert r.status_code == 303
    assert _planned(desk_app)[new_id] == ""
    assert "nguyên tắc bốn mắt đang tắt" in writer.get(f"/ban-tin/{new_id}").text
    setting = desk_app.desk.store.audit_entries(action="setting_four_eyes")[0]
    assert [e.details["four_eyes"] for e in setting] == ["off", "on"]


def test_return_needs_a_reason_and_shows_it(desk_app: DeskApp) -> None:
    approver = desk_app.login("duyet")
    r = approver.post("/ban-tin/2026-nop-ho-so/duyet", data={**_form(approver, "2026-nop-ho-so"), "decision": "return"})
    assert r.status_code == 400 and "hãy ghi lý do" in r.text
    r = approver.post("/ban-tin/2026-nop-ho-so/duyet", data={**_form(approver, "2026-nop-ho-so"),
                                                             "decision": "return", "comment": "Ghi rõ địa chỉ cổng."})
    assert r.status_code == 303
    page = approver.get("/ban-tin/2026-nop-ho-so").text
    assert "bị trả lại" in page and "Ghi rõ địa chỉ cổng." in page


def test_a_file_changed_on_disk_is_not_overwritten_and_both_versions_are_shown(desk_app: DeskApp) -> None:
    client = desk_app.login("bientap")
    opened = _form(client, FILE)
    path = desk_app.root / "bulletins" / f"{FILE}.yaml"
    theirs = path.read_text(encoding="utf-8").replace("thứ Năm", "thứ Hai")
    path.write_text(theirs, encoding="utf-8")
    r = client.post(f"/ban-tin/{FILE}", data={**opened, **_fields(text="Bản của tôi: tiếp dân thứ Tư.")})
    assert r.status_code == 409
    assert "Tệp đã bị thay đổi trong lúc bạn sửa" in r.text
    assert "Bản của tôi: tiếp dân thứ Tư." in r.text and "thứ Hai hằng tuần" in r.text
    assert path.read_text(encoding="utf-8") == theirs  # nothing lost, nothing written
    # the form came back with the user's text and the disk's version: saving again is a conscious overwrite
    fresh_sha = re.search(r'name="sha" value="([^"]*)"', r.text).group(1)  # type: ignore[union-attr]
    r = client.post(f"/ban-tin/{FILE}", data={**opened, "sha": fresh_sha, **_fields(text="Bản của tôi: thứ Tư.")})
    assert r.status_code == 303


def test_check_findings_are_shown_next_to_their_field(desk_app: DeskApp) -> None:
    client = desk_app.login("bientap")
    r = client.post(f"/ban-tin/{FILE}", data={**_form(client, FILE),
                                              **_fields(valid_from="2026-12-10", valid_until="2026-12-01")})
    assert r.status_code == 400
    assert re.search(r'data-key="valid_until">ngày kết thúc 01/12/2026 đứng trước ngày bắt đầu 10/12/2026', r.text)
    (desk_app.root / "bulletins" / "2026-hong.yaml").write_text("title: Hỏng\ntopic: t\nzones: [bac]\ntext: x\n",
                                                                encoding="utf-8")
    listing = client.get("/ban-tin").text
    assert "có lỗi" in listing and "không có thôn &#39;bac&#39;" in listing


def test_preview_reads_numbers_dates_and_codes_and_listen_says_who_spoke(desk_app: DeskApp) -> None:
    client = desk_app.login("bientap")
    csrf = desk_app.page_csrf(client)
    text = "Theo Kế hoạch số 09/KH-UBND, ngày 05/12/2026 tiêm cho 1.250 trẻ."
    reading = client.post("/xem-truoc", data={"csrf": csrf, "text": text}).text
    assert "kế hoạch số chín" in reading.lower() and "năm tháng mười hai" in reading
    assert "một nghìn hai trăm năm mươi" in reading
    heard = client.post("/nghe-thu", data={"csrf": csrf, "text": text}).text
    assert 'data-engine="espeak"' in heard and "giọng dự phòng" not in heard  # espeak is this station's first
    src = re.search(r'src="(/am-thanh/[0-9a-f]+)"', heard).group(1)  # type: ignore[union-attr]
    wav = client.get(src)
    assert wav.status_code == 200 and wav.content[:4] == b"RIFF" and len(wav.content) > 20000


def test_a_recording_longer_than_the_station_allows_is_refused(desk_app: DeskApp, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    from broadcaster.wav import write_wav

    station_yaml = desk_app.root / "station.yaml"
    station_yaml.write_text(station_yaml.read_text(encoding="utf-8") + "audio:\n  max_bulletin_minutes: 1\n",
                            encoding="utf-8")
    wav = tmp_path / "dai.wav"
    write_wav(wav, np.full(8000 * 70, 0.1, dtype=np.float32), 8000)
    client = desk_app.login("bientap")
    r = client.post("/ban-tin/2026-nop-ho-so", data={**_form(client, "2026-nop-ho-so"), **_fields()},
                    files={"recording": ("hop.wav", wav.read_bytes())})
    assert r.status_code == 400 and "quá giới hạn 1 phút của đài" in r.text
    assert not list((desk_app.root / "recordings").glob("2026-nop-ho-so-*"))


def test_a_browser_recording_without_a_length_is_repacked_so_the_plan_knows_its_length(
    desk_app: DeskApp, tmp_path  # type: ignore[no-untyped-def]
) -> None:
    from broadcaster.ffmpeg import audio_duration, ffmpeg_exe

    # what MediaRecorder sends: Opus in WebM, written as a stream (no length in the header)
    webm = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                           "sine=frequency=440:duration=3", "-c:a", "libopus", "-f", "webm", "pipe:1"],
                          capture_output=True, check=True).stdout
    client = desk_app.login("bientap")
    r = client.post("/ban-tin/2026-nop-ho-so", data={**_form(client, "2026-nop-ho-so"), **_fields(text="")},
                    files={"recording": ("ghi-am.webm", webm)})
    assert r.status_code == 303, r.text[:500]
    [stored] = (desk_app.root / "recordings").iterdir()
    assert stored.suffix == ".ogg" and abs(audio_duration(stored) - 3.0) < 0.1
    assert not [p for p in (desk_app.root / "recordings").iterdir() if p.name.startswith(".")]
    station = load_station(desk_app.root)
    bulletin = {b.id: b for b in load_bulletins(station)[0]}["2026-nop-ho-so"]
    assert bulletin.audio == stored and bulletin.text is None
