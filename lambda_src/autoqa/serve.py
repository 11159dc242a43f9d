"""`autoqa serve`: the supervisor dashboard on this machine, over the local store.

One process serves the built page (`frontend/dist`), the dashboard's API (the same routes as
on AWS, `dashboard.api`; each request becomes the event API Gateway would send) and the calls'
recordings (through short-lived signed links, with byte ranges so the player can seek).

There is no sign-in locally, so the server listens on loopback only unless told otherwise
(`--host` with `--allow-remote`), and answers only requests addressed to it by a loopback
name: a web page elsewhere cannot reach it through a DNS name that points here.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import mimetypes
import os
import re
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from autoqa.dashboard_store import SQLiteDashboardBackend
from autoqa.store import SQLiteResultStore
from contracts.dashboard import API_PREFIX
from contracts.storage import AUDIO_MEDIA_TYPES
from dashboard.api import build_api
from dashboard.ports import Caller
from dashboard.service import DashboardService

MEDIA_PREFIX = "/media/"
MAX_BODY_BYTES = 64 * 1024
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
# The page's configuration when served locally: the API on the same origin, no sign-in.
LOCAL_PAGE_CONFIG = {"dashboard": {"apiBase": "", "auth": None}}


class RemoteBindRefused(ValueError):
    pass


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class MediaSigner:
    """Links to a call's recording that stop working after their time."""

    def __init__(self, secret: bytes | None = None, clock: Callable[[], float] = time.time):
        self.secret = secret or os.urandom(32)
        self.clock = clock

    def _mac(self, call_id: str, expires: int) -> str:
        message = f"{call_id}\n{expires}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def url(self, call_id: str, seconds: int) -> str:
        expires = int(self.clock()) + seconds
        sig = self._mac(call_id, expires)
        return f"{MEDIA_PREFIX}{quote(call_id, safe='')}?expires={expires}&sig={sig}"

    def valid(self, call_id: str, expires: str, sig: str) -> bool:
        if not expires.isdigit() or int(expires) < self.clock():
            return False
        return hmac.compare_digest(self._mac(call_id, int(expires)), sig)


def api_event(method: str, target: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """An HTTP request as API Gateway's HTTP API (payload 2.0) hands it to a function."""
    parts = urlsplit(target)
    query = parse_qsl(parts.query, keep_blank_values=True)
    params: dict[str, str] = {}
    for name, value in query:  # repeated names are joined with commas, as API Gateway does
        params[name] = f"{params[name]},{value}" if name in params else value
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": unquote(parts.path),
        "rawQueryString": parts.query,
        "headers": {k.lower(): v for k, v in headers.items()},
        "queryStringParameters": params or None,
        "requestContext": {
            "http": {"method": method, "path": unquote(parts.path), "sourceIp": "127.0.0.1"},
            "stage": "$default",
        },
        "body": body.decode("utf-8", "replace") if body else None,
        "isBase64Encoded": False,
    }


class DashboardServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        api: APIGatewayHttpResolver,
        backend: SQLiteDashboardBackend,
        signer: MediaSigner,
        dist: Path | None,
    ) -> None:
        super().__init__(address, _Handler)
        self.api = api
        self.backend = backend
        self.signer = signer
        self.dist = dist.resolve() if dist else None
        self.api_lock = threading.Lock()  # the resolver keeps the current event on itself

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: DashboardServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the terminal shows the URL and errors only

    # --- dispatch -----------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        if not self._addressed_to_us():
            return self._send(HTTPStatus.MISDIRECTED_REQUEST, b"not this server\n", "text/plain")
        path = urlsplit(self.path).path
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            return self._api(method)
        if method == "POST":
            self.close_connection = True  # its body is not read
            return self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"", "text/plain")
        if path.startswith(MEDIA_PREFIX):
            return self._media(unquote(path[len(MEDIA_PREFIX) :]), head=method == "HEAD")
        if path == "/config.json":
            body = json.dumps(LOCAL_PAGE_CONFIG).encode()
            return self._send(HTTPStatus.OK, body, "application/json", head=method == "HEAD")
        return self._static(path, head=method == "HEAD")

    def _addressed_to_us(self) -> bool:
        """On loopback, only a loopback Host: a DNS name pointed here is someone else's page."""
        if not is_loopback(str(self.server.server_address[0])):
            return True
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        return host in LOOPBACK_NAMES or is_loopback(host)

    # --- the API ------------------------------------------------------------------------
    def _cross_site(self) -> bool:
        """A write sent by another site's page (a form posting here): refused, since there is
        no sign-in locally to stop it."""
        if self.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            return True
        origin = self.headers.get("Origin")
        host = self.headers.get("Host", "")
        return origin is not None and origin != f"http://{host}"

    def _api(self, method: str) -> None:
        raw_length = self.headers.get("Content-Length") or "0"
        if not raw_length.isdigit() or self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            return self._send(
                HTTPStatus.BAD_REQUEST, b"a body needs a Content-Length\n", "text/plain"
            )
        length = int(raw_length)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            return self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"", "text/plain")
        body = self.rfile.read(length) if length else b""
        if method == "POST" and self._cross_site():
            return self._send(HTTPStatus.FORBIDDEN, b"cross-site request refused\n", "text/plain")
        event = api_event(method, self.path, dict(self.headers.items()), body)
        with self.server.api_lock:
            response = self.server.api.resolve(event, None)  # type: ignore[arg-type]
        headers = {k.lower(): str(v) for k, v in (response.get("headers") or {}).items()}
        self._send(
            int(response["statusCode"]),
            str(response.get("body") or "").encode(),
            headers.pop("content-type", "application/json"),
            extra=headers,
            head=method == "HEAD",
        )

    # --- recordings ---------------------------------------------------------------------
    def _media(self, call_id: str, head: bool) -> None:
        query = dict(parse_qsl(urlsplit(self.path).query))
        if not self.server.signer.valid(call_id, query.get("expires", ""), query.get("sig", "")):
            return self._send(HTTPStatus.FORBIDDEN, b"link expired or not valid\n", "text/plain")
        row = self.server.backend.call(call_id)
        path = self.server.backend.recording(row) if row else None
        if path is None:
            return self._send(HTTPStatus.NOT_FOUND, b"no recording\n", "text/plain")
        kind = AUDIO_MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
        self._file(path, kind, head, cache="private, max-age=300")

    def _file(self, path: Path, kind: str, head: bool, cache: str) -> None:
        size = path.stat().st_size
        start, end = 0, size - 1
        status = HTTPStatus.OK
        extra = {"accept-ranges": "bytes", "cache-control": cache}
        wanted = self.headers.get("Range")
        if wanted:
            match = _RANGE.match(wanted.strip())
            first, last = (match.group(1), match.group(2)) if match else ("", "")
            if not match or (not first and not last):
                extra["content-range"] = f"bytes */{size}"
                return self._send(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, b"", kind, extra)
            if first:
                start, end = int(first), min(int(last), size - 1) if last else size - 1
            else:  # the last N bytes
                start = max(0, size - int(last))
            if start >= size or start > end:
                extra["content-range"] = f"bytes */{size}"
                return self._send(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, b"", kind, extra)
            status = HTTPStatus.PARTIAL_CONTENT
            extra["content-range"] = f"bytes {start}-{end}/{size}"
        with path.open("rb") as f:
            f.seek(start)
            data = f.read(end - start + 1)
        self._send(status, data, kind, extra, head=head)

    # --- the page -----------------------------------------------------------------------
    def _static(self, path: str, head: bool) -> None:
        dist = self.server.dist
        if dist is None or not (dist / "index.html").is_file():
            body = b"The dashboard page is not built: run `make frontend`, then serve again.\n"
            return self._send(HTTPStatus.NOT_FOUND, body, "text/plain; charset=utf-8", head=head)
        file = (dist / unquote(path).lstrip("/")).resolve()
        if not file.is_relative_to(dist) or not file.is_file():
            file = dist / "index.html"  # the page's own routes (/dashboard/...)
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        hashed = "/assets/" in file.as_posix()
        self._file(
            file, kind, head, "public, max-age=31536000, immutable" if hashed else "no-cache"
        )

    def _send(
        self,
        status: int,
        body: bytes,
        kind: str,
        extra: dict[str, str] | None = None,
        head: bool = False,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)


def make_server(
    store: SQLiteResultStore,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    dist: Path | None = None,
    reviewer: str = "supervisor",
    allow_remote: bool = False,
) -> DashboardServer:
    """The dashboard over `store`, listening (not yet serving) on host:port."""
    if not is_loopback(host) and not allow_remote:
        raise RemoteBindRefused(
            f"refusing to serve the dashboard on {host}: it has no sign-in, so anyone who can "
            "reach that address could read every call; pass --allow-remote if you mean it"
        )
    signer = MediaSigner()
    backend = SQLiteDashboardBackend(store, signer.url)
    caller = Caller(user=reviewer, supervisor=True)
    api = build_api(DashboardService(backend), lambda _event: caller)
    return DashboardServer((host, port), api, backend, signer, dist)
