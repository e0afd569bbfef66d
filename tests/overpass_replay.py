"""A real HTTP server on loopback that answers Overpass queries from recorded answers.

It reads the query as Overpass would receive it (a POST with a ``data`` form field), picks
the requested elements (``way(id:1,2)``, ``relation(id:3)``) or the ways named in
``way["name"="..."]`` from its store, and answers Overpass JSON. A test sets how it fails:
a status (with ``Retry-After``) for the first N requests, a delay, or a raw body. Every
request is recorded (path, headers, query, time), so tests can see what hetao sent.
"""

from __future__ import annotations

import json
import re
import threading
import time
from copy import deepcopy
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

DATA = Path(__file__).resolve().parent / "data" / "overpass"


def recorded(name: str) -> dict:
    """A recorded answer from tests/data/overpass/."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def elements_of(*names: str) -> dict[str, dict]:
    """The elements of recorded answers by "type/id"; later files replace earlier ones."""
    store: dict[str, dict] = {}
    for name in names:
        for element in recorded(name)["elements"]:
            store[f"{element['type']}/{element['id']}"] = element
    return store


@dataclass
class Seen:
    path: str
    headers: dict
    query: str
    at: float


@dataclass
class Replay:
    """What the server answers; tests change it between requests."""

    store: dict[str, dict] = field(default_factory=dict)
    #: (status, headers, body) answered for the first ``fail_times`` requests.
    failure: tuple[int, dict, bytes] | None = None
    fail_times: int = 0
    delay_s: float = 0.0
    #: A raw (content type, body) answer instead of the store's.
    raw: tuple[str, bytes] | None = None
    seen: list[Seen] = field(default_factory=list)


def _answer(replay: Replay, query: str) -> dict:
    wanted = set()
    for kind, ids in re.findall(r"(way|relation)\(id:([0-9,]+)\)", query):
        wanted |= {f"{kind}/{i}" for i in ids.split(",")}
    names = {json.loads(q) for q in re.findall(r'way\["name(?::zh|:en)?"=("(?:[^"\\]|\\.)*")\]', query)}
    out = [deepcopy(e) for ref, e in replay.store.items() if ref in wanted]
    out += [deepcopy(e) for ref, e in replay.store.items() if ref.startswith("way/") and ref not in wanted
            and names & {e.get("tags", {}).get(k) for k in ("name", "name:zh", "name:en")}]
    return {"version": 0.6, "generator": "hetao test replay", "elements": out}


class _Handler(BaseHTTPRequestHandler):
    replay: Replay

    def log_message(self, *args) -> None:       # quiet
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode("utf-8"))
        query = (form.get("data") or [""])[0]
        replay = self.server.replay
        replay.seen.append(Seen(self.path, dict(self.headers), query, time.monotonic()))
        if replay.delay_s:
            time.sleep(replay.delay_s)
        if replay.failure is not None and replay.fail_times > 0:
            replay.fail_times -= 1
            status, headers, body = replay.failure
            self._send(status, "text/html", body, headers)
            return
        if replay.raw is not None:
            self._send(200, *replay.raw)
            return
        body = json.dumps(_answer(replay, query), ensure_ascii=False).encode("utf-8")
        self._send(200, "application/json", body)

    def _send(self, status: int, content_type: str, body: bytes, headers: dict | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass        # the client gave up (a timeout test)


class ReplayServer:
    """``with ReplayServer(replay) as url:`` serves on 127.0.0.1 until the block ends."""

    def __init__(self, replay: Replay):
        self.replay = replay
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.replay = replay
        self.server.daemon_threads = True
        # A short poll: shutdown() waits up to one poll interval, 0.5 s by default, per test.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01},
                                       daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/interpreter"

    def __enter__(self) -> str:
        self.thread.start()
        return self.url

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
