"""The desk's security, proven over its whole route table: a new route cannot forget its rules.

Every route is walked: state-changing ones refuse a request without a session (401) and without a valid CSRF
token (403), pages that need a session send the anonymous browser to the login page, and each role gets exactly
the routes its permissions allow (403 otherwise). Then XSS, uploads, fixation, logout, throttling, expiry.
"""

from __future__ import annotations

import re

import pytest
from starlette.routing import Route

from broadcaster.services.accounts import PERMISSIONS
from tests.web.conftest import PASSWORD, USERS, DeskApp

PARAMS = {"bulletin_id": "2026-nop-ho-so", "name": "xem", "token": "khong-co", "key": "ab" * 32,
          "job": "20261130T090000-abcdef", "fmt": "xlsx", "airing": "1"}


def routes(desk_app: DeskApp) -> list[tuple[str, str, object]]:
    """(method, concrete path, rule) for every route but the static files."""
    out = []
    for route in desk_app.client.app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, Route):
            continue
        rule = getattr(route.endpoint, "desk_rule", None)
        assert rule is not None, f"{route.path} is not made by page(): it skips the session/role/CSRF rules"
        path = re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], route.path)
        for method in sorted(route.methods - {"HEAD"}):
            out.append((method, path, rule))
    return out


def test_every_route_is_declared_with_its_rule(desk_app: DeskApp) -> None:
    table = routes(desk_app)
    assert len(table) >= 20
    public = {(m, re.sub(r"/thiet-lap/.*", "/thiet-lap/…", p)) for m, p, r in table if r.perm is None}
    assert public == {("GET", "/dang-nhap"), ("POST", "/dang-nhap"), ("GET", "/thiet-lap/…"),
                      ("POST", "/thiet-lap/…")}


def test_state_changing_routes_refuse_without_a_session(desk_app: DeskApp) -> None:
    anonymous = desk_app.new_client()
    for method, path, rule in routes(desk_app):
        if method == "GET" or rule.perm is None:
            continue
        r = anonymous.request(method, path, data={"csrf": "x"})
        assert r.status_code == 401, (method, path, r.status_code)


def test_pages_redirect_to_login_without_a_session(desk_app: DeskApp) -> None:
    anonymous = desk_app.new_client()
    for method, path, rule in routes(desk_app):
        if method != "GET" or rule.perm is None:
            continue
        r = anonymous.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/dang-nhap"), (path, r.status_code)


@pytest.mark.parametrize("token", ["", "sai-ma"])
def test_every_state_changing_route_refuses_a_bad_csrf_token(desk_app: DeskApp, token: str) -> None:
    client = desk_app.login("quantri")  # every permission: only the CSRF check stands in the way
    before = desk_app.desk.store.audit_entries(limit=1000)[1]
    for method, path, _rule in routes(desk_app):
        if method == "GET":
            continue
        data = {"csrf": token} if token else {}
        r = client.request(method, path, data={**data, "name": "quantri", "password": PASSWORD, "title": "x"})
        assert r.status_code == 403, (method, path, r.status_code)
        assert "Phiên làm việc không hợp lệ" in r.text
    assert desk_app.desk.store.audit_entries(limit=1000)[1] == before  # nothing happened at all


def test_the_login_form_needs_its_own_csrf_cookie(desk_app: DeskApp) -> None:
    other = desk_app.new_client()
    token = desk_app.csrf()  # a token from another browser's page
    r = other.post("/dang-nhap", data={"csrf": token, "name": "quantri", "password": PASSWORD})
    assert r.status_code == 403


@pytest.mark.parametrize("name", list(USERS))
def test_each_role_reaches_only_what_it_may(desk_app: DeskApp, name: str) -> None:
    client = desk_app.login(name)
    allowed = PERMISSIONS[USERS[name]]
    csrf = desk_app.page_csrf(client)
    for method, path, rule in routes(desk_app):
        if rule.perm is None or path == "/dang-xuat":
            continue
        r = client.request(method, path, data={"csrf": csrf} if method == "POST" else None)
        if rule.perm in allowed:
            assert r.status_code != 403, (name, method, path, r.text[:300])
        else:
            assert r.status_code == 403, (name, method, path, r.status_code)
            assert "không có quyền" in r.text


def test_menus_show_only_what_the_role_may_use(desk_app: DeskApp) -> None:
    viewer = desk_app.login("xem").get("/ban-tin/2026-nop-ho-so").text
    assert "Viết bản tin" not in viewer and "Tài khoản</a>" not in viewer and "✓ Duyệt" not in viewer
    assert "<fieldset disabled>" in viewer
    editor = desk_app.login("bientap", client=desk_app.new_client()).get("/ban-tin/2026-nop-ho-so").text
    assert "Viết bản tin" in editor and "✓ Duyệt" not in editor and "Nhật ký thao tác" not in editor
    approver = desk_app.login("duyet", client=desk_app.new_client()).get("/ban-tin/2026-nop-ho-so").text
    assert "✓ Duyệt" in approver and "Tài khoản</a>" not in approver


def test_a_script_title_is_shown_escaped_everywhere(desk_app: DeskApp) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    (desk_app.root / "bulletins" / "2026-xss.yaml").write_text(
        f"title: '{evil}'\ntopic: '<b>t</b>'\ntext: \"{evil.replace(chr(34), chr(39))}\"\n", encoding="utf-8")
    client = desk_app.login("duyet")
    for path in ("/ban-tin", "/ban-tin/2026-xss", "/ban-tin?tim=%3Cscript%3E"):
        page = client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page, path
        assert "&lt;script&gt;alert" in page, path
    preview = client.post("/xem-truoc", data={"csrf": desk_app.page_csrf(client), "text": evil})
    assert "<script>" not in preview.text
    assert "script-src 'self'" in client.get("/ban-tin").headers["content-security-policy"]


def test_bulletin_ids_with_path_tricks_are_refused(desk_app: DeskApp) -> None:
    client = desk_app.login("bientap")
    for bad in ("..%2Fstation", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "A.yaml", "x%00y"):
        r = client.get(f"/ban-tin/{bad}")
        assert r.status_code in (400, 404), (bad, r.status_code)
    assert client.get("/am-thanh/..%2F..%2Fstation.yaml").status_code == 404


def _save(client, csrf: str, sha: str, files=None, **fields):  # type: ignore[no-untyped-def]
    data = {"csrf": csrf, "sha": sha, "title": "Thông báo nộp hồ sơ", "topic": "dich-vu-cong",
            "priority": "normal", "all_zones": "1", "per_day": "1",
            "text": "Bà con nộp hồ sơ trực tuyến tại Cổng dịch vụ công quốc gia.", **fields}
    return client.post("/ban-tin/2026-nop-ho-so", data=data, files=files)


def _sha(client) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'name="sha" value="([^"]*)"', client.get("/ban-tin/2026-nop-ho-so").text)
    assert match
    return match.group(1)


def test_uploads_take_a_server_chosen_name_and_must_be_real_audio(desk_app: DeskApp, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from broadcaster.wav import write_wav
    import numpy as np

    client = desk_app.login("bientap")
    csrf = desk_app.page_csrf(client)
    r = _save(client, csrf, _sha(client), files={"recording": ("../../../evil.mp3", b"not audio at all " * 100)})
    assert r.status_code == 400 and "không phải âm thanh đọc được" in r.text
    r = _save(client, csrf, _sha(client), files={"recording": ("thu.exe", b"MZ" * 100)})
    assert r.status_code == 400 and "chỉ nhận tệp ghi âm" in r.text
    wav = tmp_path / "tone.wav"
    write_wav(wav, (0.2 * np.sin(np.arange(16000) / 16000 * 2 * np.pi * 440)).astype(np.float32), 16000)
    r = _save(client, csrf, _sha(client), files={"recording": ("../../../../tmp/evil.wav", wav.read_bytes())})
    assert r.status_code == 303, r.text[:1000]
    stored = list((desk_app.root / "recordings").iterdir())
    assert [p.name.startswith("2026-nop-ho-so-") and p.suffix == ".wav" for p in stored] == [True]
    assert "audio: recordings/2026-nop-ho-so-" in (desk_app.root / "bulletins" / "2026-nop-ho-so.yaml").read_text()
    assert not (tmp_path.parent / "evil.wav").exists()


def test_an_oversized_upload_is_refused_before_it_is_read(desk_app: DeskApp) -> None:
    client = desk_app.login("bientap")
    csrf = desk_app.page_csrf(client)
    big = b"\0" * (27 * 1024 * 1024)
    r = _save(client, csrf, _sha(client), files={"recording": ("lon.mp3", big)})
    assert r.status_code == 413 and "quá lớn" in r.text


def test_login_gives_a_new_session_and_logout_ends_it(desk_app: DeskApp) -> None:
    client = desk_app.new_client()
    client.cookies.set("desk_session", "do-ke-tan-cong-dat-san", domain="testserver.local")
    desk_app.login("bientap", client=client)
    first = client.cookies.get("desk_session")
    assert first and first != "do-ke-tan-cong-dat-san"
    anon = client.cookies.get("desk_csrf")  # logging in again (another tab) replaces the session
    r = client.post("/dang-nhap", data={"csrf": anon, "name": "bientap", "password": PASSWORD})
    assert r.status_code == 303
    second = client.cookies.get("desk_session")
    assert second != first
    stale = desk_app.new_client()
    stale.cookies.set("desk_session", first, domain="testserver.local")
    assert stale.get("/ban-tin").status_code == 303
    r = client.post("/dang-xuat", data={"csrf": desk_app.page_csrf(client)})
    assert r.status_code == 303
    replay = desk_app.new_client()
    replay.cookies.set("desk_session", second, domain="testserver.local")
    assert replay.get("/ban-tin").status_code == 303


def test_session_cookie_flags_and_expiry(desk_app: DeskApp) -> None:
    client = desk_app.new_client()
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/dang-nhap").text).group(1)  # type: ignore[union-attr]
    r = client.post("/dang-nhap", data={"csrf": token, "name": "xem", "password": PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=43200" in cookie
    assert client.get("/ban-tin").status_code == 200
    desk_app.clock.advance(12 * 3600 + 1)
    assert client.get("/ban-tin").status_code == 303


def test_login_is_throttled_per_account_and_per_address(desk_app: DeskApp) -> None:
    client = desk_app.new_client()
    for _ in range(5):
        token = desk_app.page_csrf(client, "/dang-nhap")
        r = client.post("/dang-nhap", data={"csrf": token, "name": "duyet", "password": "sai"})
        assert r.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in r.text
    token = desk_app.page_csrf(client, "/dang-nhap")
    r = client.post("/dang-nhap", data={"csrf": token, "name": "duyet", "password": PASSWORD})
    assert r.status_code == 401 and "thử lại sau 30 giây" in r.text  # even the right password waits
    r = client.post("/dang-nhap", data={"csrf": token, "name": "xem", "password": PASSWORD})
    assert r.status_code == 401 and "thử lại sau" in r.text  # the same address is throttled too
    desk_app.clock.advance(31)
    r = client.post("/dang-nhap", data={"csrf": token, "name": "duyet", "password": "sai"})
    assert r.status_code == 401  # the 6th failure: now 60 s
    r = client.post("/dang-nhap", data={"csrf": token, "name": "duyet", "password": PASSWORD})
    assert "thử lại sau 60 giây" in r.text
    desk_app.clock.advance(61)
    assert client.post("/dang-nhap", data={"csrf": token, "name": "duyet", "password": PASSWORD}).status_code == 303
    actions = [e.action for e in desk_app.desk.store.audit_entries(limit=50)[0]]
    assert actions.count("login_failed") == 6 and actions.count("login_throttled") == 3


def test_a_disabled_account_is_logged_out_and_cannot_log_in(desk_app: DeskApp) -> None:
    editor = desk_app.login("bientap", client=desk_app.new_client())
    admin = desk_app.login("quantri")
    r = admin.post("/tai-khoan/bientap/khoa", data={"csrf": desk_app.page_csrf(admin), "disabled": "1"})
    assert r.status_code == 303
    assert editor.get("/ban-tin").status_code == 303
    fresh = desk_app.new_client()
    token = desk_app.page_csrf(fresh, "/dang-nhap")
    assert fresh.post("/dang-nhap", data={"csrf": token, "name": "bientap", "password": PASSWORD}).status_code == 401
    assert "đã khoá" in admin.get("/tai-khoan").text


def test_first_run_link_works_once_and_only_for_24_hours(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from starlette.testclient import TestClient

    from broadcaster.services.accounts import create_first_run_link
    from broadcaster.web import create_app
    from tests.fakes import FakeClock
    from tests.web.conftest import NOW, write_station

    root = write_station(tmp_path / "schedules")
    clock = FakeClock(NOW)
    app = create_app(root, clock=clock)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        store = app.state.desk.store
        late = create_first_run_link(store, clock.now())
        clock.advance(24 * 3600 + 1)
        assert client.get(f"/thiet-lap/{late}").status_code == 404
        link = create_first_run_link(store, clock.now())
        page = client.get(f"/thiet-lap/{link}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        form = {"csrf": csrf, "name": "vanhoa", "display": "Trần Thị Hoa", "password": PASSWORD,
                "password2": PASSWORD}
        r = client.post(f"/thiet-lap/{link}", data=form)
        assert r.status_code == 303 and r.headers["location"] == "/tai-khoan"
        assert "Trần Thị Hoa" in client.get("/tai-khoan").text
        again = TestClient(app, base_url="http://testserver", follow_redirects=False)
        assert again.get(f"/thiet-lap/{link}").status_code == 404
        csrf2 = re.search(r'name="csrf" value="([^"]+)"', again.get("/dang-nhap").text).group(1)  # type: ignore[union-attr]
        r = again.post(f"/thiet-lap/{link}", data={**form, "csrf": csrf2, "name": "keothu"})
        assert r.status_code == 400 and "đã dùng hoặc đã hết hạn" in r.text
        assert create_first_run_link(store, clock.now()) is None  # an account exists: no link any more
