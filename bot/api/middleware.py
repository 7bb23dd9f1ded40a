"""Edge guards as plain ASGI middleware: request ids and access logs, load shedding, body size, rate limits, CORS.

Connection-level limits (header size, slow clients, idle connections, forwarded addresses) live in
the server (:mod:`bot.server`); these work on whole requests.
"""

from __future__ import annotations

import json
import logging
import math
import re
import secrets
import time

from limits import RateLimitItemPerMinute, storage, strategies
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.api.errors import error_body, status_error_body
from bot.logs import request_id_var

logger = logging.getLogger("bot.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HEALTH_PATHS = ("/healthz", "/readyz")
DRAIN_BYTES = 1 << 20
"""How much of a refused body is read and discarded so the client sees the 413 (nginx's lingering close)."""
DRAIN_SECONDS = 2.0


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


async def _send_error(send: Send, status: int, body: dict[str, object], headers: dict[str, str] | None = None) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    raw = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(payload)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


class RequestContextMiddleware:
    """Give every request an id (kept from a safe ``X-Request-ID``), return it, log one line per request.

    A client that goes away before its answer is logged as a disconnect (status 499), not as an error.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _SAFE_ID.match(incoming) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = {"code": 0, "disconnected": False}

        async def receive_watch() -> Message:
            message = await receive()
            if message["type"] == "http.disconnect":
                status["disconnected"] = True
            return message

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            try:
                await send(message)
            except OSError:
                status["disconnected"] = True
                raise

        try:
            await self.app(scope, receive_watch, send_with_id)
        finally:
            code = status["code"] or (499 if status["disconnected"] else 500)
            logger.info("client disconnected" if code == 499 else "request", extra={
                "request_id": request_id, "method": scope.get("method"), "path": scope.get("path"),
                "status": code, "ms": round((time.perf_counter() - started) * 1000, 2),
                "client": (scope.get("client") or ("?",))[0]})
            request_id_var.reset(token)


class ConcurrencyLimitMiddleware:
    """Shed load: beyond ``limit`` requests in progress, answer 503 with Retry-After at once.

    Health checks are never shed, so an orchestrator still sees a live process under load.
    """

    def __init__(self, app: ASGIApp, limit: int, retry_after: int = 1) -> None:
        self.app, self.limit, self.retry_after = app, limit, retry_after
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in HEALTH_PATHS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            request_id = scope.get("state", {}).get("request_id")
            await _send_error(send, 503, error_body(request_id, "overloaded", "服务繁忙，请稍后再试",
                                                    "Server is busy, please retry shortly"),
                              {"Retry-After": str(self.retry_after)})
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


def _utf8_json(content_type: str | None) -> bool:
    """Bodies are JSON in UTF-8 (no other charset), as the README promises."""
    media, _, params = (content_type or "").partition(";")
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in params.split(";")
                    if p.strip().lower().startswith("charset=")), "utf-8")
    return media.strip().lower() == "application/json" and charset in ("utf-8", "utf8")


class BodyLimitMiddleware:
    """Refuse bodies that are not UTF-8 JSON (415) or over ``max_bytes`` (413, announced or streamed).

    The body is read here (it is small by definition) and replayed to the app, so an oversize
    stream is refused before any route sees it. After refusing, up to ``DRAIN_BYTES`` of the rest
    are read and discarded, so the client gets to read the 413 instead of a connection reset.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        request_id = scope.get("state", {}).get("request_id")
        if not _utf8_json(_header(scope, b"content-type")):
            await _send_error(send, 415, status_error_body(request_id, 415))
            await self._drain(receive)
            return
        too_large = error_body(request_id, "payload_too_large", f"请求内容超过{self.max_bytes}字节上限",
                               f"Request body exceeds {self.max_bytes} bytes")
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await _send_error(send, 413, too_large, {"Connection": "close"})
            await self._drain(receive)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _send_error(send, 413, too_large, {"Connection": "close"})
                if message.get("more_body", False):
                    await self._drain(receive)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _drain(receive: Receive) -> None:
        import asyncio

        drained, deadline = 0, time.monotonic() + DRAIN_SECONDS
        while drained < DRAIN_BYTES:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                message = await asyncio.wait_for(receive(), remaining)
            except TimeoutError:
                return
            if message["type"] != "http.request":
                return
            drained += len(message.get("body", b""))
            if not message.get("more_body", False):
                return


def rate_limit_storage(redis_url: str | None) -> storage.Storage:
    """Shared counters in Redis when configured (one limit across workers and replicas), else in process."""
    return storage.storage_from_string(redis_url) if redis_url else storage.MemoryStorage()


class RateLimiter:
    """``per_minute`` requests per client in any 60-second window (the ``limits`` library's moving window)."""

    def __init__(self, per_minute: int, store: storage.Storage, namespace: str = "jiebei") -> None:
        self.item = RateLimitItemPerMinute(per_minute, namespace=namespace)
        self.strategy = strategies.MovingWindowRateLimiter(store)

    def take(self, client: str) -> float:
        """Count one request; returns 0 when allowed, else the seconds until one is."""
        if self.strategy.hit(self.item, client):
            return 0.0
        reset, _ = self.strategy.get_window_stats(self.item, client)
        return max(1.0, reset - time.time())


class RateLimitMiddleware:
    """429 with Retry-After once a client exceeds its limit, on paths under ``prefix``.

    The client is the connection's peer, or, behind a trusted proxy, the address the server took
    from X-Forwarded-For (see ``JIEBEI_TRUSTED_PROXIES``).
    """

    def __init__(self, app: ASGIApp, limiter: RateLimiter, prefix: str = "/api/") -> None:
        self.app, self.limiter, self.prefix = app, limiter, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith(self.prefix) and scope.get("method") != "OPTIONS":
            client = (scope.get("client") or ("unknown",))[0]
            try:
                wait = self.limiter.take(client)
            except Exception:  # a shared store that went away: serve rather than refuse everyone
                logger.exception("rate limit store unavailable")
                wait = 0.0
            if wait > 0:
                request_id = scope.get("state", {}).get("request_id")
                await _send_error(send, 429, status_error_body(request_id, 429),
                                  {"Retry-After": str(max(1, math.ceil(wait)))})
                return
        await self.app(scope, receive, send)


class JsonCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with refused preflights in the same JSON error shape as every other error."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-type", "content-length")}
        body = error_body(request_id_var.get(), "cors_rejected", "不允许的跨域请求", "Cross-origin request not allowed")
        return Response(json.dumps(body, ensure_ascii=False), status_code=response.status_code, headers=headers,
                        media_type="application/json")
