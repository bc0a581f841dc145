"""`decline-coach serve` lets in only the person holding its token, and loads nothing from outside.

Real connections on 127.0.0.1: HTTP with and without the token, websockets with and without
it and from a foreign Origin, a second tab (one app process, not two), then the server is shut
down and its app with it. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import aiohttp
import pytest

from tests.conftest import ROOT

START_TIMEOUT = 60.0  # seconds for the server to print its URL (a loaded machine)
APP_TIMEOUT = 90.0  # seconds for the app process to draw its first screen


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str
    token: str
    port: int
    data_dir: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        return self.base


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _read_url(process: subprocess.Popen[bytes]) -> str:
    assert process.stderr is not None
    deadline = time.monotonic() + START_TIMEOUT
    seen = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], 0.5)
        if ready:
            chunk = os.read(process.stderr.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
            found = re.search(rb"http://127\.0\.0\.1:\d+/\?token=[A-Za-z0-9_-]+", seen)
            if found:
                return found.group(0).decode()
    raise AssertionError(f"serve printed no URL: {seen.decode(errors='replace')}")


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


def _app_processes(data_dir: Path) -> list[int]:
    """Python processes running the app for this test's data folder."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"bot.tui" in argv and str(data_dir).encode() in argv and b"python" in Path(argv[0].decode()).name.encode():
            found.append(int(entry.name))
    return found


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    port = _free_port()
    data_dir = tmp_path / "data"
    env = {**os.environ, "DECLINE_COACH_CACHE": "", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port), "--no-browser", "--data-dir", str(data_dir),
         "--today", "2026-11-21"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        url = _read_url(process)
        token = url.split("token=", 1)[1]
        _wait_listening(port)
        yield Served(process, url, token, port, data_dir)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        deadline = time.monotonic() + 20
        while _app_processes(data_dir) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = _app_processes(data_dir)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, "the app process outlived the server"


def run(coro: object) -> object:
    return asyncio.run(asyncio.wait_for(coro, timeout=APP_TIMEOUT + 60))  # type: ignore[arg-type]


async def _status(url: str, **kwargs: object) -> int:
    async with aiohttp.ClientSession() as session, session.get(url, allow_redirects=False, **kwargs) as r:  # type: ignore[arg-type]
        return r.status


def test_the_token_is_random_and_long(served: Served) -> None:
    assert len(served.token) >= 40  # token_urlsafe(32)
    assert served.url == f"{served.base}/?token={served.token}"


def test_http_without_the_token_is_refused(served: Served) -> None:
    async def go() -> None:
        assert await _status(served.base + "/") == 403
        assert await _status(served.base + "/?token=" + "x" * len(served.token)) == 403
        assert await _status(served.base + "/?token=" + served.token[:-1]) == 403
        assert await _status(served.base + "/static/js/textual.js") == 403
        assert await _status(served.base + "/static/css/xterm.css?token=nope") == 403
        assert await _status(served.base + "/download/anything") == 403
        assert await _status(served.base + "/nowhere") == 403
        # With the token, the page; a page from another host name (DNS rebinding) is refused.
        assert await _status(served.url) == 200
        assert await _status(served.url, headers={"Host": f"evil.example:{served.port}"}) == 403
        # The page sets a private cookie that lets the page's own files load (a browser keeps
        # cookies for 127.0.0.1; aiohttp needs unsafe=True to do the same).
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            async with session.get(served.url) as page:
                assert page.status == 200
                cookie = page.headers["Set-Cookie"]
                assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
            async with session.get(served.base + "/static/css/xterm.css") as css:
                assert css.status == 200

    run(go())


class _Urls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name in ("src", "href", "action", "poster", "xmlns") or name.startswith("data-")):
                self.urls.append(value)


def _urls_in(text: str) -> list[str]:
    urls = re.findall(r"""url\(\s*['"]?([^'")\s]+)""", text)
    urls += re.findall(r"""@import\s+['"]([^'"]+)""", text)
    urls += re.findall(r"""(?:https?|wss?):/{2}[^\s'"<>)]+""", text)
    return urls


def test_the_page_loads_nothing_from_outside_the_machine(served: Served) -> None:
    """Every URL in the served page, and in the style sheets it loads, is on 127.0.0.1:port."""

    async def go() -> None:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            async with session.get(served.url) as page:
                html = await page.text()
                csp = page.headers["Content-Security-Policy"]
            parser = _Urls()
            parser.feed(html)
            urls = [u for u in parser.urls + _urls_in(html) if "/" in u or ":" in u]
            assert any("/static/" in u for u in urls)  # the parser found the page's resources
            sheets = [urljoin(served.url, u) for u in urls if u.endswith(".css")]
            for sheet in sheets:
                async with session.get(sheet) as r:
                    assert r.status == 200, sheet
                    # Comments (xterm.css credits its sources by URL) are never loaded.
                    css = re.sub(r"/\*.*?\*/", "", await r.text(), flags=re.S)
                    urls += [urljoin(sheet, u) for u in _urls_in(css)]
            for url in urls:
                parts = urlsplit(urljoin(served.url, url))
                assert parts.scheme in ("http", "ws"), url
                assert parts.hostname == "127.0.0.1" and parts.port == served.port, url
            # The fonts the page names are served from here.
            fonts = [u for u in urls if u.endswith(".ttf")]
            assert fonts
            for font in fonts:
                async with session.get(urljoin(served.url, font)) as r:
                    assert r.status == 200 and len(await r.read()) > 10_000
            assert "googleapis" not in html and "fonts.gstatic" not in html
            # And the browser is told to load nothing from anywhere else.
            assert "default-src 'self'" in csp and "font-src 'self'" in csp

    run(go())


def _ws_url(served: Served, token: str | None) -> str:
    return f"ws://127.0.0.1:{served.port}/ws/{token or ''}?width=80&height=24"


async def _ws_status(url: str, origin: str | None) -> int:
    headers = {"Origin": origin} if origin else {}
    async with aiohttp.ClientSession() as session:
        try:
            async with session.ws_connect(url, headers=headers, timeout=aiohttp.ClientWSTimeout(ws_close=10)):
                return 101
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


async def _first_screen(ws: aiohttp.ClientWebSocketResponse) -> bytes:
    received = b""
    deadline = time.monotonic() + APP_TIMEOUT
    while time.monotonic() < deadline and b"decline" not in received.lower():
        try:
            message = await ws.receive(timeout=max(0.1, deadline - time.monotonic()))
        except TimeoutError:
            break
        if message.type == aiohttp.WSMsgType.BINARY:
            received += message.data
        elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            break
    return received


def test_websockets_need_the_token_and_the_served_origin(served: Served) -> None:
    async def go() -> None:
        good = served.origin
        assert await _ws_status(_ws_url(served, None), good) in (403, 404)
        assert await _ws_status(_ws_url(served, "wrong-token"), good) == 403
        assert await _ws_status(_ws_url(served, served.token), "http://evil.example") == 403
        assert await _ws_status(_ws_url(served, served.token), f"http://127.0.0.1:{served.port + 1}") == 403
        assert await _ws_status(_ws_url(served, served.token), None) == 403
        # None of those started an app.
        assert _app_processes(served.data_dir) == []

    run(go())


def test_one_app_process_per_served_session(served: Served) -> None:
    async def go() -> None:
        headers = {"Origin": served.origin}
        async with aiohttp.ClientSession() as session:
            first = await session.ws_connect(_ws_url(served, served.token), headers=headers)
            screen = await _first_screen(first)
            assert b"decline" in screen.lower(), screen[-500:]
            assert len(_app_processes(served.data_dir)) == 1
            # A second tab takes the running app over: the first is closed, no second app.
            second = await session.ws_connect(_ws_url(served, served.token), headers=headers)
            closed = await first.receive(timeout=30)
            assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            redraw = await _first_screen(second)
            assert redraw, "the second tab got no screen"
            assert len(_app_processes(served.data_dir)) == 1
            await second.close()

    run(go())
