"""Conversation memory behind a small interface, so a shared store can replace the in-memory one."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol


@dataclass
class SessionState:
    """What the bot remembers between turns of one conversation."""

    principal: Decimal | None = None
    days: int | None = None
    daily_rate: Decimal | None = None
    rate_basis: str | None = None
    awaiting: str | None = None
    """The value the bot last asked for ("principal" or "days"), so a bare "20" can answer it."""
    turns: int = 0
    recent: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """message id → (question, answering entry id) for the last few answers."""

    def remember(self, message_id: str, question: str, source_id: str | None, keep: int = 20) -> None:
        self.recent[message_id] = (question, source_id)
        while len(self.recent) > keep:
            del self.recent[next(iter(self.recent))]


class SessionStore(Protocol):
    """Get and put session state by id; implementations expire and cap entries themselves."""

    def get(self, session_id: str) -> SessionState | None: ...

    def put(self, session_id: str, state: SessionState) -> None: ...

    def __len__(self) -> int: ...


def new_session_id() -> str:
    return secrets.token_urlsafe(16)


class MemorySessionStore:
    """Thread-safe LRU map with a time-to-live, for a single process."""

    def __init__(self, ttl_seconds: float, max_sessions: int, clock=time.monotonic) -> None:
        self._ttl, self._max, self._clock = ttl_seconds, max_sessions, clock
        self._data: OrderedDict[str, tuple[float, SessionState]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: str) -> SessionState | None:
        with self._lock:
            item = self._data.get(session_id)
            if item is None:
                return None
            if self._clock() - item[0] > self._ttl:
                del self._data[session_id]
                return None
            self._data.move_to_end(session_id)
            return item[1]

    def put(self, session_id: str, state: SessionState) -> None:
        with self._lock:
            self._data[session_id] = (self._clock(), state)
            self._data.move_to_end(session_id)
            now = self._clock()
            # least recently used first: expired ones sit at the front
            while self._data and (len(self._data) > self._max or now - next(iter(self._data.values()))[0] > self._ttl):
                self._data.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)
