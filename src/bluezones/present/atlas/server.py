"""``bluezones serve``: the atlas and its JSON API over HTTP, on localhost by default.

A small :class:`http.server.ThreadingHTTPServer`. It serves files of the site
folder only (paths are decoded once, ``.``/``..`` segments and hidden files are
refused, and the resolved path must lie inside the folder), answers ``GET`` and
``HEAD``, and sends a strict Content-Security-Policy with every response.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from bluezones.errors import BlueZonesError
from bluezones.present.atlas.api import ApiError, SiteData

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "CONTENT_TYPES",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "make_server",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: Everything from this origin only; no inline script, no plugins, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}
_FALLBACK_TYPE = "application/octet-stream"


def make_server(
    site: Path | str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> ThreadingHTTPServer:
    """A server for the built atlas in ``site`` (call ``serve_forever()`` on it).

    ``port=0`` picks a free port; read it back from ``server.server_address``.
    """
    root = Path(site).resolve()
    if not (root / "index.html").is_file() or not (root / "data" / "site.json").is_file():
        raise BlueZonesError(
            f"There is no atlas in {root}.",
            hint="Build it first with 'bluezones atlas --out <folder>'.",
        )
    data = SiteData(root)

    class Handler(_AtlasHandler):
        site_root = root
        site_data = data

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


class _AtlasHandler(BaseHTTPRequestHandler):
    site_root: Path
    site_data: SiteData
    server_version = "bluezones-atlas"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a local atlas needs no access log."""

    def _answer(self, *, head: bool) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        if path.startswith("/api/"):
            self._api(path, parse_qs(parts.query), head=head)
            return
        target = self._file(path)
        if target is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", CONTENT_TYPES[".txt"], head=head)
            return
        body = target.read_bytes()
        kind = CONTENT_TYPES.get(target.suffix.lower(), _FALLBACK_TYPE)
        self._send(HTTPStatus.OK, body, kind, head=head)

    def _file(self, path: str) -> Path | None:
        """The file ``path`` names inside the site, or ``None`` if it names none there."""
        if "\\" in path or "\x00" in path:
            return None
        segments = [s for s in path.split("/") if s]
        if any(s in (".", "..") or s.startswith(".") for s in segments):
            return None
        target = self.site_root.joinpath(*segments).resolve()
        if not target.is_relative_to(self.site_root):
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    def _api(self, path: str, query: dict[str, list[str]], *, head: bool) -> None:
        try:
            if path == "/api/areas":
                payload = self.site_data.areas(query.get("level", ["gemeente"])[0])
            elif path.startswith("/api/area/"):
                payload = self.site_data.area(path.removeprefix("/api/area/"))
            elif path == "/api/overview":
                payload = self.site_data.page("index")
            elif path in ("/api/monitor", "/api/evaluation"):
                payload = self.site_data.page(path.removeprefix("/api/"))
            elif path.startswith("/api/monitor/"):
                payload = self.site_data.monitor_indicator(path.removeprefix("/api/monitor/"))
            elif path.startswith("/api/evaluation/"):
                payload = self.site_data.evaluation(path.removeprefix("/api/evaluation/"))
            else:
                raise ApiError(
                    404,
                    "unknown API path; try /api/overview, /api/areas, /api/area/<code>, "
                    "/api/monitor[/<indicator>] or /api/evaluation[/<indicator>]",
                )
        except ApiError as exc:
            self._json(exc.status, {"error": str(exc)}, head=head)
            return
        self._json(HTTPStatus.OK, payload, head=head)

    def _json(self, status: int, payload: Any, *, head: bool) -> None:
        body = json.dumps(payload, ensure_ascii=False, allow_nan=False).encode("utf-8")
        self._send(status, body, CONTENT_TYPES[".json"], head=head)

    def _send(self, status: int, body: bytes, kind: str, *, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if not head:
            self.wfile.write(body)
