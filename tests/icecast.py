"""A local Icecast2 server fed by ffmpeg, for relay tests and `scripts/bench_relay` (no network: 127.0.0.1).

    from tests import icecast
    reason = icecast.unavailable_reason()        # None when icecast2 is installed; else a pytest skip reason
    server = icecast.Server.start(tmp_dir)       # config in tmp_dir, a free port, its own user when run as root
    source = server.feed("/vov.mp3", tone_hz=440, level_db=-30)   # ffmpeg -re sending a tone to the mount
    url = server.url("/vov.mp3")
    source.kill()                                # the stream drops (listeners are disconnected)
    server.stop()

`HlsStream.start(dir)`: a live HLS playlist (AAC segments of 1 s written by ffmpeg in real time) served over HTTP
from 127.0.0.1, for the `.m3u8` relays.

Icecast refuses to run as root: then the config's <changeowner> drops it to the Debian package's `icecast2` user
(the temp folder is handed to that user). Sources are ffmpeg processes with `-nostdin`, stdin from /dev/null and
output to /dev/null (nothing to drain), ended by their process group.
"""

from __future__ import annotations

import functools
import grp
import http.server
import os
import pwd
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from broadcaster.ffmpeg import ffmpeg_exe

__all__ = ["PASSWORD", "HlsStream", "Server", "Source", "unavailable_reason"]

PASSWORD = "thu-nghiem"
EXE = "icecast2"
USER, GROUP = "icecast2", "icecast"

CONFIG = """<icecast>
  <location>test</location><admin>test@localhost</admin>
  <limits><clients>40</clients><sources>32</sources><queue-size>524288</queue-size>
    <client-timeout>10</client-timeout><header-timeout>5</header-timeout><source-timeout>3</source-timeout>
    <burst-on-connect>1</burst-on-connect><burst-size>65536</burst-size></limits>
  <authentication><source-password>{password}</source-password><relay-password>{password}</relay-password>
    <admin-user>admin</admin-user><admin-password>{password}</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <fileserve>1</fileserve>
  <paths><basedir>{dir}</basedir><logdir>{dir}/log</logdir><webroot>/usr/share/icecast2/web</webroot>
    <adminroot>/usr/share/icecast2/admin</adminroot><pidfile>{dir}/icecast.pid</pidfile></paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>3</loglevel></logging>
  <security><chroot>0</chroot>{owner}</security>
</icecast>
"""


def unavailable_reason() -> str | None:
    """Why a local Icecast cannot run here (a pytest skip reason), or None."""
    if shutil.which(EXE) is None:
        return "icecast2 not installed: run scripts/system-packages (as root)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(USER)
            grp.getgrnam(GROUP)
        except KeyError:
            return f"running as root and the '{USER}' user is missing (it comes with the Debian package)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Source:
    """One ffmpeg feeding a mount in real time."""

    proc: subprocess.Popen[bytes]
    mount: str

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    dir: Path
    sources: list[Source]

    @classmethod
    def start(cls, directory: Path) -> Server:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "log").mkdir(exist_ok=True)
        port = _free_port()
        owner = ""
        if os.geteuid() == 0:  # icecast refuses root: it binds, then becomes its own user
            owner = f"<changeowner><user>{USER}</user><group>{GROUP}</group></changeowner>"
            uid, gid = pwd.getpwnam(USER).pw_uid, grp.getgrnam(GROUP).gr_gid
            for path in (directory, directory / "log"):
                os.chown(path, uid, gid)
            for parent in directory.parents:  # pytest's tmp folders are 0700: let the icecast user through
                if parent == Path("/tmp") or parent == Path("/"):
                    break
                os.chmod(parent, os.stat(parent).st_mode | 0o011)
        conf = directory / "icecast.xml"
        conf.write_text(CONFIG.format(password=PASSWORD, port=port, dir=directory, owner=owner), encoding="utf-8")
        proc = subprocess.Popen([EXE, "-c", str(conf)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        server = cls(proc, port, directory, [])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                log = (directory / "log" / "error.log")
                raise RuntimeError(f"icecast2 exited ({proc.returncode}): "
                                   f"{log.read_text(errors='replace')[-500:] if log.exists() else ''}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return server
            except OSError:
                time.sleep(0.05)
        server.stop()
        raise RuntimeError("icecast2 did not open its port within 10 s")

    def url(self, mount: str) -> str:
        return f"http://127.0.0.1:{self.port}{mount}"

    def feed(self, mount: str, *, tone_hz: float | None = 440.0, level_db: float = -20.0, codec: str = "mp3",
             wait: bool = True, lavfi: str | None = None) -> Source:
        """Start ffmpeg sending a tone (or silence: `tone_hz=None`; or any `lavfi` source) to `mount` in real
        time."""
        gain = 10 ** (level_db / 20)
        src = lavfi or (f"sine=frequency={tone_hz}:sample_rate=44100,volume={gain:.6f}" if tone_hz
                        else "anullsrc=r=44100:cl=mono")
        fmt = ["-c:a", "libmp3lame", "-b:a", "128k", "-content_type", "audio/mpeg", "-f", "mp3"] if codec == "mp3" \
            else ["-c:a", "aac", "-b:a", "96k", "-content_type", "audio/aac", "-f", "adts"]
        argv = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i", src,
                 "-ac", "1", *fmt, f"icecast://source:{PASSWORD}@127.0.0.1:{self.port}{mount}"]
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        source = Source(proc, mount)
        self.sources.append(source)
        if wait:
            self.wait_mount(mount)
        return source

    def wait_mount(self, mount: str, timeout: float = 10.0) -> None:
        """Until a listener gets data from `mount`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url(mount), timeout=1) as r:
                    if r.read(1024):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"mount {mount} did not come up within {timeout:g} s")

    def stop(self) -> None:
        for source in self.sources:
            source.kill()
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


@dataclass
class HlsStream:
    """ffmpeg writing a live HLS playlist of a tone into `dir`, and an HTTP server for it."""

    source: Source
    httpd: http.server.ThreadingHTTPServer
    dir: Path

    @classmethod
    def start(cls, directory: Path, *, tone_hz: float = 440.0, level_db: float = -20.0) -> HlsStream:
        directory.mkdir(parents=True, exist_ok=True)
        gain = 10 ** (level_db / 20)
        argv = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i",
                f"sine=frequency={tone_hz}:sample_rate=44100,volume={gain:.6f}", "-ac", "1", "-c:a", "aac",
                "-b:a", "64k", "-f", "hls", "-hls_time", "1", "-hls_list_size", "6", "-hls_flags", "delete_segments",
                str(directory / "live.m3u8")]
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                functools.partial(_Quiet, directory=str(directory)))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        deadline = time.monotonic() + 10
        while not (directory / "live.m3u8").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(3)  # a few segments of history, as a live playlist has
        return cls(Source(proc, "/live.m3u8"), httpd, directory)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/live.m3u8"

    def stop(self) -> None:
        self.source.kill()
        self.httpd.shutdown()
        self.httpd.server_close()
