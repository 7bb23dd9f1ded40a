"""Conversation memory in Redis, shared by every worker and replica.

A session is one JSON value with a time-to-live. A turn updates it under a per-session Redis
lock (``SET NX`` with expiry, released by token), so two turns of one conversation arriving at two
workers at once never overwrite each other's values; other conversations are never blocked.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TypeVar

import redis

from bot.sessions import SessionBusy, SessionState

logger = logging.getLogger(__name__)
T = TypeVar("T")

LOCK_SECONDS = 15
"""Longest a turn may hold a session's lock (a crashed worker's lock expires after it)."""
WAIT_SECONDS = 10
"""Longest a concurrent turn of the same session waits for the lock."""


class RedisSessionStore:
    def __init__(self, url: str, ttl_seconds: int, prefix: str = "jiebei:session:") -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._ttl, self._prefix = ttl_seconds, prefix

    def ping(self) -> None:
        """Raise if Redis cannot be reached (startup fails fast)."""
        self._redis.ping()

    def _key(self, session_id: str) -> str:
        return self._prefix + session_id

    def get(self, session_id: str) -> SessionState | None:
        raw = self._redis.get(self._key(session_id))
        if raw is None:
            return None
        try:
            return SessionState.from_json(json.loads(raw))
        except (ValueError, KeyError, TypeError):
            logger.warning("dropping an unreadable session")
            return None

    def update(self, session_id: str, fn: Callable[[SessionState | None], tuple[SessionState, T]]) -> T:
        lock = self._redis.lock(self._key(session_id) + ":lock", timeout=LOCK_SECONDS, blocking_timeout=WAIT_SECONDS)
        if not lock.acquire():
            raise SessionBusy("session is busy")
        try:
            state, result = fn(self.get(session_id))
            self._redis.set(self._key(session_id), json.dumps(state.to_json(), ensure_ascii=False), ex=self._ttl)
            return result
        finally:
            try:
                lock.release()
            except redis.exceptions.LockError:
                logger.warning("a session lock expired before its turn finished")

    def __len__(self) -> int:
        return sum(1 for k in self._redis.scan_iter(match=self._prefix + "*", count=1000) if not k.endswith(b":lock"))

    def close(self) -> None:
        self._redis.close()
