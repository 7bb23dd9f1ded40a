"""Serve the app with uvicorn, with the connection limits uvicorn does not have built in.

uvicorn (h11) already caps what it buffers of an incomplete request, closes idle keep-alive
connections, honours X-Forwarded-For only from trusted proxies, and runs several worker processes.
It has no deadline for reading a request, so a client that trickles its headers or body holds a
connection (and a file descriptor) forever. :class:`GuardedH11Protocol` adds that: headers must
arrive within a few seconds, the body within a few more, and a pause longer than the idle timeout
while reading closes the connection. Oversized headers are answered with 431.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import dataclass

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.settings import Settings

logger = logging.getLogger(__name__)

APP = "bot.api.app:create_app"
LINGER_BYTES = 16 << 20
"""At most this much of a refused request is read and dropped before the connection is closed."""
LINGER_SILENCE = 1.0


@dataclass(frozen=True)
class EdgeLimits:
    """What one connection may cost; copied from the settings into uvicorn's config for every worker."""

    max_header_bytes: int
    header_timeout: float
    idle_timeout: float
    body_timeout: float

    @classmethod
    def from_settings(cls, s: Settings) -> EdgeLimits:
        return cls(s.max_header_bytes, s.header_timeout_seconds, s.idle_timeout_seconds, s.body_timeout_seconds)


def _error_bytes(status: int, code: str, zh: str, en: str) -> bytes:
    body = json.dumps({"error": {"code": code, "message": f"{zh} / {en}", "zh": zh, "en": en, "request_id": None}},
                      ensure_ascii=False).encode("utf-8")
    reason = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}[status]
    return (b"HTTP/1.1 %d %s\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: %d\r\n"
            b"connection: close\r\n\r\n" % (status, reason, len(body))) + body


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with read deadlines and a header size answer of 431."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.edge: EdgeLimits = self.config.jiebei_edge  # type: ignore[attr-defined]
        self._reading = False          # a request is being received (headers or body incomplete)
        self._header_bytes = 0
        self._deadline = 0.0           # the whole of the current phase must arrive by then
        self._timer: asyncio.TimerHandle | None = None
        self._discarding = 0           # bytes read and dropped after refusing oversized headers
        self._tail = b""               # the last bytes seen, to find a header terminator split across reads

    # -- bookkeeping -------------------------------------------------------------------------------
    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        now = self.loop.time()
        self._timer = self.loop.call_at(min(self._deadline, now + self.edge.idle_timeout), self._check)

    def _disarm(self) -> None:
        self._reading = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _start_request(self) -> None:
        self._reading = True
        self._header_bytes = 0
        self._tail = b""
        self._deadline = self.loop.time() + self.edge.header_timeout
        self._arm()

    def _check(self) -> None:
        self._timer = None
        if not self._reading or self.transport.is_closing():
            return
        logger.info("closing a slow connection", extra={"client": (self.client or ("?",))[0]})
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(_error_bytes(408, "request_timeout", "请求发送太慢，连接已关闭",
                                              "Request was not received in time"))
        self.transport.close()

    # -- protocol ----------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _linger(self) -> None:
        """After a refusal, read and drop what the client is still sending (briefly), so it reads our answer
        instead of a connection reset; close after a short silence or too much data."""
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self.loop.call_later(LINGER_SILENCE, self.transport.close)

    def data_received(self, data: bytes) -> None:
        if self._discarding:
            self._discarding += len(data)
            if self._discarding > LINGER_BYTES:
                self.transport.close()
            else:
                self._linger()
            return
        idle = self.cycle is None or self.cycle.response_complete
        if idle and not self._reading:
            self._start_request()  # the next request on a keep-alive connection
        if self._reading and (self.cycle is None or self.cycle.response_complete):
            # count only up to the blank line that ends the headers; what follows is the body
            end = (self._tail + data).find(b"\r\n\r\n")
            self._header_bytes += len(data) if end < 0 else max(0, end + 4 - len(self._tail))
            self._tail = data[-3:]
            if self._header_bytes > self.edge.max_header_bytes:
                self._disarm()
                self.transport.write(_error_bytes(431, "headers_too_large", "请求头过大",
                                                  "Request header fields too large"))
                self._discarding = self._header_bytes
                self._linger()
                return
        super().data_received(data)
        if self._reading:
            self._after_events()

    def _after_events(self) -> None:
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if not cycle.more_body or self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED):
                self._disarm()  # the whole request is in: from here on it is the app's time
                return
            if self._header_bytes:  # headers just completed: the body has its own deadline
                self._header_bytes = 0
                self._deadline = self.loop.time() + self.edge.body_timeout
        if not self.transport.is_closing():
            self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._disarm()  # idle keep-alive connections are uvicorn's timeout_keep_alive


def serve(settings: Settings, workers: int | None = None) -> None:
    """Run the API (``workers`` processes) until interrupted."""
    workers = workers or settings.workers
    # every worker builds its app from the environment: carry the values given on the command line
    os.environ.setdefault("JIEBEI_HOST", settings.host)
    os.environ["JIEBEI_PORT"] = str(settings.port)
    trusted = ",".join(settings.trusted_proxies)
    config = uvicorn.Config(
        APP, factory=True, host=settings.host, port=settings.port, workers=workers,
        http=GuardedH11Protocol, h11_max_incomplete_event_size=settings.max_header_bytes,
        timeout_keep_alive=int(settings.keep_alive_seconds), log_config=None, access_log=False,
        proxy_headers=bool(trusted), forwarded_allow_ips=trusted or "", server_header=False,
    )
    config.jiebei_edge = EdgeLimits.from_settings(settings)  # type: ignore[attr-defined]
    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
