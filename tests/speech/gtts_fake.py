"""A fake Google Translate TTS endpoint at the HTTP layer, so gTTS's own code runs against it.

A threaded HTTP server on 127.0.0.1 answers gTTS's batchexecute POST the way Google does (an `)]}'` preamble
and a `wrb.fr` line carrying the base64 MP3). The MP3 is real: a tone made by ffmpeg, its length following the
text, so durations and joins can be checked. `script` lists what the next requests get (200, 429, 500, "hang",
"noaudio"); after the script runs out every request succeeds. `latency` delays every answer.
Used by tests/speech and scripts/bench_speech.
"""

from __future__ import annotations

import base64
import functools
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from broadcaster.ffmpeg import run_ffmpeg

PATH = "/_/TranslateWebserverUi/data/batchexecute"
SECONDS_PER_CHAR = 0.05


@functools.lru_cache(maxsize=256)
def tone_mp3(duration: float, frequency: float = 440.0) -> bytes:
    """A real MP3 (24 kHz mono, like Google's) of a sine tone, made by ffmpeg."""
    return run_ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency={frequency}:duration={duration:.2f}:sample_rate=24000",
            "-af",
            "volume=2.4",
            "-ac",
            "1",
            "-ar",
            "24000",
            "-b:a",
            "32k",
            "-f",
            "mp3",
            "pipe:1",
        ],
        what="fake gTTS tone",
    )


def batchexecute_body(mp3: bytes) -> bytes:
    """Google's batchexecute answer framing around one base64 MP3."""
    payload = json.dumps(
        [
            ["wrb.fr", "jQ1olc", json.dumps([base64.b64encode(mp3).decode()]), None, None, None, "generic"],
            ["di", 31],
            ["af.httprm", 30, "-1234567890", 5],
        ],
        separators=(",", ":"),
    )
    tail = '[["e",4,null,null,140]]'
    return f")]}}'\n\n{len(payload)}\n{payload}\n{len(tail)}\n{tail}\n".encode()


def request_text(body: bytes) -> str:
    """The text gTTS asked to speak, out of its `f.req=` form body."""
    form = urllib.parse.parse_qs(body.decode())
    rpc = json.loads(form["f.req"][0])
    return str(json.loads(rpc[0][0][1])[0])


class FakeGoogle:
    """The fake endpoint; use as a context manager. `url` is what the gTTS engine's endpoint is set to."""

    def __init__(
        self, *, latency: float = 0.0, script: list[int | str] | None = None, hang_seconds: float = 2.0
    ):
        self.latency = latency
        self.script: list[int | str] = list(script or [])
        self.hang_seconds = hang_seconds
        self.texts: list[str] = []  # every request's text, in arrival order
        self.statuses: list[int | str] = []  # what each request got
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{PATH}"

    def __enter__(self) -> FakeGoogle:
        self._thread.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, text: str) -> int | str:
        with self._lock:
            what = self.script.pop(0) if self.script else 200
            self.texts.append(text)
            self.statuses.append(what)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return what

    def _done(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path.split("?")[0] != PATH:
                    self._send(404, b"not found")
                    return
                text = request_text(body)
                what = fake._next(text)
                try:
                    time.sleep(fake.latency)
                    if what == "hang":
                        time.sleep(fake.hang_seconds)
                        what = 200
                    if what == "noaudio":
                        self._send(200, b')]}\'\n\n20\n[["wrb.fr","jQ1olc",null]]\n')
                    elif what == 200:
                        mp3 = tone_mp3(round(0.2 + SECONDS_PER_CHAR * len(text), 1))
                        self._send(200, batchexecute_body(mp3))
                    else:
                        self._send(int(what), b"error", {"Retry-After": "0"} if what == 429 else None)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and went away
                finally:
                    fake._done()

        return Handler


def closed_port_url() -> str:
    """A loopback URL where nothing listens: connection refused."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}{PATH}"


class BlackHole:
    """A network that hangs: a loopback server that accepts every connection and never answers (nor reads).
    `connections` counts what reached it. Use as a context manager; `url` is an endpoint for the gTTS engine."""

    def __init__(self) -> None:
        import socket

        self.connections = 0
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._held: list[object] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}{PATH}"

    def _accept(self) -> None:
        self._sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.connections += 1
            self._held.append(conn)  # kept open, never answered

    def __enter__(self) -> BlackHole:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(2)
        for conn in self._held:
            conn.close()  # type: ignore[attr-defined]
        self._sock.close()
