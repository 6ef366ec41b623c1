"""Security rules that hold for every request: body limit, headers, token.

Every document is hostile input. Templates escape it (Jinja2 autoescape); these
ASGI middlewares make sure a large body is refused before it is buffered, and
that every answer carries a Content-Security-Policy that forbids inline script,
so even an escaping bug could not run code. Pure ASGI rather than
`BaseHTTPMiddleware`: no extra task per request, and the body is checked as it
streams in.
"""

from __future__ import annotations

import asyncio
import hmac
import json

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Pages: scripts and styles from this server only. `style-src-attr` allows the
#: `style="--c: …"` attributes that carry category colours; they come from the palette, never from a document.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
#: A downloaded HTML report has its stylesheet inline and no script at all.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

_COMMON_HEADERS = {
    "x-content-type-options": "nosniff",
    # same-origin, not no-referrer: under no-referrer a browser posts its own forms with "Origin: null",
    # which the same-origin check below cannot tell from a foreign page; other sites still get no referrer
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


class BodyTooLarge(Exception):
    """Raised inside `receive` once the body passes the limit."""


class BodyTooSlow(Exception):
    """Raised inside `receive` once the body has taken longer than its time limit to arrive."""


async def _send_json(send: Send, status: int, payload: dict[str, str], headers: dict[str, str] | None = None) -> None:
    body = json.dumps(payload).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


#: How much of a refused body is read and thrown away, and for how long, before the 413 goes out.
DRAIN_BYTES = 16 * 1_048_576
DRAIN_SECONDS = 5.0


async def _drain(receive: Receive) -> None:
    """Read and discard the rest of a refused body, as nginx's lingering close does.

    Closing a socket whose receive buffer still holds request bytes makes the
    kernel answer with a TCP reset, and a client still sending then loses the
    413 and sees "connection reset by peer" instead. Reading the rest first lets
    the answer arrive. Only bounded amounts are read: a body found to be larger
    than `DRAIN_BYTES`, or one that trickles in, is cut off.
    """
    drained = 0
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            while drained <= DRAIN_BYTES:
                message = await receive()
                if message["type"] != "http.request" or not message.get("more_body", False):
                    return
                drained += len(message.get("body", b""))
    except TimeoutError:
        return


class BodyLimitMiddleware:
    """Answer 413 when a request body is over `max_bytes`, by its Content-Length or as it streams.

    A body must also arrive within `timeout_s`, or the answer is 408: a client
    trickling 10 bytes a second would otherwise hold its connection, and the
    memory of what it sent, for as long as it likes.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float = 30.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def _refuse(self, receive: Receive, send: Send, *, drain: bool) -> None:
        if drain:
            await _drain(receive)
        await _send_json(send, 413, self._problem(), {"connection": "close"})

    def _problem(self) -> dict[str, str]:
        return {"detail": f"request body is over the {self.max_bytes / 1_048_576:g} MB limit",
                "hint": "send a smaller document, or start the server with a larger --max-body-mb"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = int(value) if value.isdigit() else None
                if declared is None or declared > self.max_bytes:
                    # a malformed length, or one too large to read away, is refused at once
                    await self._refuse(receive, send, drain=declared is not None and declared <= DRAIN_BYTES)
                    return
        received = 0
        started = body_done = False
        deadline = asyncio.get_running_loop().time() + self.timeout_s

        async def limited_receive() -> Message:
            nonlocal received, body_done
            if body_done:
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTooSlow from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(receive, send, drain=True)
        except BodyTooSlow:
            if not started:
                await _send_json(send, 408, {"detail": f"the request body did not arrive within {self.timeout_s:g} s",
                                             "hint": "send it again on a faster connection"}, {"connection": "close"})


class SecurityHeadersMiddleware:
    """Add nosniff, a same-origin referrer policy, DENY framing and the page CSP to every answer without a CSP."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _COMMON_HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", PAGE_CSP)
            await send(message)

        await self.app(scope, receive, with_headers)


def common_headers() -> dict[str, str]:
    """The headers every answer carries, for the one answer no middleware sees: the 500 of a crash."""
    return {**_COMMON_HEADERS, "content-security-policy": PAGE_CSP}


def _host_name(value: str) -> str:
    """The name of a Host header without its port: `[::1]:8000` -> `::1`, `localhost:8000` -> `localhost`."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else ""
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class LoopbackHostMiddleware:
    """400 unless the Host header names this machine, so a page elsewhere cannot reach the app by DNS rebinding.

    Starlette's TrustedHostMiddleware cuts the port at the first colon, which
    leaves `[` of an IPv6 address and so refused every request to `serve --host ::1`.
    """

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...]) -> None:
        self.app = app
        self.allowed = frozenset(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "")
            if _host_name(host) not in self.allowed:
                await _send_json(send, 400, {"detail": "invalid host header",
                                             "hint": "open the app by its loopback address, e.g. http://127.0.0.1"})
                return
        await self.app(scope, receive, send)


class SameOriginMiddleware:
    """403 for a request that changes or starts work (POST and the like) sent by a page of another site.

    A browser names the sending page in `Origin` (and, in current browsers,
    `Sec-Fetch-Site`); a form on another site must not make this server analyse
    documents on its behalf. Requests without either header (curl, scripts) are
    not from a browser page and pass.
    """

    SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in self.SAFE:
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]
                       if k in (b"origin", b"host", b"sec-fetch-site")}
            origin, site = headers.get("origin"), headers.get("sec-fetch-site")
            if site is not None:  # the browser's own verdict, where it sends one
                cross = site not in ("same-origin", "none")
            else:
                cross = origin is not None and origin.split("://", 1)[-1].lower() != headers.get("host", "").lower()
            if cross:
                await _send_json(send, 403, {"detail": "this request came from a page of another site",
                                             "hint": "use the app's own pages, or call the API without a browser"})
                return
        await self.app(scope, receive, send)


class HeadMiddleware:
    """Answer HEAD like GET without the body (every GET route gets HEAD, as HTTP says it should)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


def token_matches(expected: str | None, given: str | None) -> bool:
    """True when no token is configured, or when `given` equals it (constant time, so timing tells nothing)."""
    if not expected:
        return True
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def bearer(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header."""
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return None
