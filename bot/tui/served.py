"""The browser face (``decline-coach serve``): textual-serve, locked to the person who started it.

textual-serve on its own serves the app to whoever connects, and starts one app process per
websocket. Here, as Jupyter does:

- a random session token (``secrets.token_urlsafe``) is part of the URL that is printed (and
  opened); every HTTP request and every websocket must carry it (in the query, in the
  websocket's path, or in the HttpOnly, SameSite=Strict cookie the first page load sets), or
  it is refused with 403;
- the ``Host`` header must name the served address (no DNS rebinding), and a websocket's
  ``Origin`` must be exactly the served ``http://host:port`` (a page from any other site is
  refused, even in the same browser);
- one app process per served session, not per connection: a second tab or a reload takes
  the running app over (the first tab's socket is closed), so two processes never write the
  same case; when the app exits, the next connection starts a fresh one;
- the page is decline-coach's own copy of textual-serve's, with the shipped Roboto Mono
  instead of a web font service, and a Content-Security-Policy that lets the browser load
  nothing from anywhere but this address.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

log = logging.getLogger("decline-coach.serve")

TEMPLATES = Path(__file__).resolve().parent / "web"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class GuardedServer(Server):
    """A textual-serve ``Server`` that lets in only requests carrying its token."""

    def __init__(self, command: str, *, host: str, port: int, token: str | None = None, title: str = "") -> None:
        super().__init__(command, host=host, port=port, title=title or "decline-coach")
        self.templates_path = TEMPLATES
        self.token = token or new_token()
        self.cookie = f"decline-coach-{port}"
        self.origins = {f"http://{host}:{port}"}
        self.hosts = {f"{host}:{port}"}
        if host == "127.0.0.1":
            self.origins.add(f"http://localhost:{port}")
            self.hosts.add(f"localhost:{port}")
        self.service: AppService | None = None
        self.socket: web.WebSocketResponse | None = None
        self._starting = asyncio.Lock()

    @property
    def url(self) -> str:
        return f"{self.public_url}/?token={self.token}"

    # ------------------------------------------------------------------ checks

    def _token_ok(self, request: web.Request) -> bool:
        given = [
            request.query.get("token", ""),
            request.cookies.get(self.cookie, ""),
            request.match_info.get("token", ""),
        ]
        expected = self.token.encode()
        return any(g and hmac.compare_digest(g.encode("utf-8", "replace"), expected) for g in given)

    @web.middleware
    async def guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.headers.get("Host", "") not in self.hosts:
            return _refuse("unknown host")
        if not self._token_ok(request):
            return _refuse("a valid session token is needed (use the URL decline-coach serve printed)")
        if request.path.startswith("/ws") and request.headers.get("Origin", "") not in self.origins:
            return _refuse("websocket from another origin")
        response = await handler(request)
        if isinstance(response, web.Response) or not response.prepared:
            response.headers["Cache-Control"] = "no-store"
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Content-Security-Policy"] = self._csp()
            if request.query.get("token"):
                response.set_cookie(self.cookie, self.token, httponly=True, samesite="Strict", path="/")
        return response

    def _csp(self) -> str:
        here = self.public_url
        ws = "ws:" + here.split(":", 1)[1]
        return (
            f"default-src 'self'; connect-src 'self' {ws}; img-src 'self' data:; "
            "font-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        )

    # ------------------------------------------------------------------ the web app

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path), autoescape=True)
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws/{token}", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def on_startup(self, app: web.Application) -> None:
        return None  # run() prints the URL itself

    async def on_shutdown(self, app: web.Application) -> None:
        service, self.service = self.service, None
        if self.socket is not None:
            with contextlib.suppress(Exception):
                await self.socket.close()
        if service is not None:
            await _stop(service)

    @aiohttp_jinja2.template("index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        font_size = request.query.get("fontsize", "16")
        return {
            "font_size": int(font_size) if font_size.isdigit() and 6 <= int(font_size) <= 64 else 16,
            "app_websocket_url": "ws:" + self.public_url.split(":", 1)[1] + f"/ws/{self.token}",
            "config": {"static": {"url": f"{self.public_url}/static/"}},
            "application": {"name": self.title},
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=1 << 20)
        width = _size(request.query.get("width"), 80)
        height = _size(request.query.get("height"), 24)
        await websocket.prepare(request)
        previous, self.socket = self.socket, websocket
        if previous is not None and not previous.closed:
            # One app per served session: the newest tab takes it over.
            with contextlib.suppress(Exception):
                await previous.close(code=4000, message=b"opened in another tab")
        try:
            async with self._starting:
                if self.service is None:
                    self.service = AppService(
                        self.command,
                        write_bytes=self._to_browser_bytes,
                        write_str=self._to_browser_str,
                        close=self._app_ended,
                        download_manager=self.download_manager,
                        debug=False,
                    )
                    await self.service.start(width, height)
                else:
                    # The app is already running: make it draw everything again for this page.
                    await self.service.set_terminal_size(width, max(1, height - 1))
                    await self.service.set_terminal_size(width, height)
            await self._pump(websocket)
        except asyncio.CancelledError:
            pass
        finally:
            if self.socket is websocket:
                self.socket = None
        return websocket

    async def _pump(self, websocket: web.WebSocketResponse) -> None:
        """Browser -> app. Malformed messages are ignored; any text is passed on as UTF-8."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            service = self.service
            if service is None or self.socket is not websocket:
                break
            try:
                envelope = json.loads(message.data)
                kind, data = envelope[0], envelope[1]
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            if kind == "stdin" and isinstance(data, str):
                await service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                await service.set_terminal_size(_size(data.get("width"), 80), _size(data.get("height"), 24))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def _to_browser_bytes(self, data: bytes) -> None:
        socket = self.socket
        if socket is not None and not socket.closed:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await socket.send_bytes(data)

    async def _to_browser_str(self, data: str) -> None:
        socket = self.socket
        if socket is not None and not socket.closed:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await socket.send_str(data)

    async def _app_ended(self) -> None:
        """The app quit: close the page's socket; the next connection starts a fresh app."""
        self.service = None
        socket = self.socket
        if socket is not None and not socket.closed:
            with contextlib.suppress(Exception):
                await socket.close()


async def _stop(service: AppService) -> None:
    process = getattr(service, "_process", None)
    with contextlib.suppress(Exception):  # shutting down: never leave the app behind
        await asyncio.wait_for(service.stop(), timeout=5)
    if process is not None and process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(process.wait(), timeout=5)


def _size(value: Any, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(number, 10), 1000)


def _refuse(reason: str) -> web.Response:
    return web.Response(status=403, text=f"Forbidden: {reason}.\n")
