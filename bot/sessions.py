"""Conversation memory behind a small interface, so a shared store can replace the in-memory one.

A session remembers the penalty values the user gave (slots), the value the bot last asked for,
and the last answers (so feedback can name the question it rates). The state is a plain value that
round-trips through JSON, which is what a shared store (Redis) keeps.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any, Literal, Protocol, TypeVar

from bot.vague import Approx

RECENT_KEEP = 20
T = TypeVar("T")


@dataclass(frozen=True)
class Slots:
    """Penalty values stated in the conversation so far; a new value replaces the old one."""

    principal: Decimal | None = None
    principal_approx: Approx | None = None
    days: int | None = None
    days_approx: Approx | None = None
    daily_rate: Decimal | None = None
    rate_basis: str | None = None

    @property
    def complete(self) -> bool:
        return self.principal is not None and self.days is not None

    @property
    def empty(self) -> bool:
        return self.principal is None and self.days is None and self.daily_rate is None

    @property
    def missing(self) -> Literal["principal", "days"] | None:
        """The value still needed for an estimate (the amount first), or None when complete."""
        if self.principal is None:
            return "principal"
        return "days" if self.days is None else None


@dataclass(frozen=True)
class SessionState:
    """What the bot remembers between turns of one conversation."""

    slots: Slots = Slots()
    awaiting: str | None = None
    """The value the bot last asked for ("principal" or "days"), so a bare "20" can answer it, or
    "values" after the penalty answer invited the amount and the days."""
    turns: int = 0
    recent: tuple[tuple[str, str, str | None], ...] = ()
    """(message id, question, answering intent id) of the last few answers, oldest first."""

    @property
    def previous_intent(self) -> str | None:
        """The entry that answered the previous message (None when it got no entry's answer)."""
        return self.recent[-1][2] if self.recent else None

    @property
    def last_answered_intent(self) -> str | None:
        """The entry of the latest answer in this conversation, however many messages ago."""
        return next((intent for _, _, intent in reversed(self.recent) if intent), None)

    def answered(self, message_id: str) -> tuple[str, str | None] | None:
        """The question and intent of an answer given in this session, or None."""
        return next(((q, i) for m, q, i in self.recent if m == message_id), None)

    def after_turn(self, slots: Slots, awaiting: str | None, message_id: str, question: str,
                   intent: str | None) -> SessionState:
        recent = (*self.recent, (message_id, question, intent))[-RECENT_KEEP:]
        return replace(self, slots=slots, awaiting=awaiting, turns=self.turns + 1, recent=recent)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (Decimals as strings)."""
        def enc(value: Any) -> Any:
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, dict):
                return {k: enc(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [enc(v) for v in value]
            return value
        return enc(asdict(self))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionState:
        def dec(v: Any) -> Decimal | None:
            return None if v is None else Decimal(v)

        def approx(v: dict[str, Any] | None) -> Approx | None:
            return None if v is None else Approx(v["quantity"], v["kind"], Decimal(v["low"]), dec(v["high"]), v["said"])

        s = data.get("slots") or {}
        slots = Slots(dec(s.get("principal")), approx(s.get("principal_approx")), s.get("days"),
                      approx(s.get("days_approx")), dec(s.get("daily_rate")), s.get("rate_basis"))
        return cls(slots, data.get("awaiting"), int(data.get("turns", 0)),
                   tuple(tuple(r) for r in data.get("recent", ())))  # type: ignore[misc]


class SessionBusy(RuntimeError):
    """Another turn of this conversation held its lock for too long (a shared store only)."""


class SessionStore(Protocol):
    """Sessions by id; implementations expire and cap entries themselves.

    ``update`` applies a function to a session's state atomically (concurrent turns of one
    conversation never lose each other's values) and returns what the function returned.
    """

    def get(self, session_id: str) -> SessionState | None: ...

    def update(self, session_id: str, fn: Callable[[SessionState | None], tuple[SessionState, T]]) -> T: ...

    def __len__(self) -> int: ...


def new_session_id() -> str:
    return secrets.token_urlsafe(16)


class MemorySessionStore:
    """Thread-safe LRU map with a time-to-live, for a single process."""

    def __init__(self, ttl_seconds: float, max_sessions: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl, self._max, self._clock = ttl_seconds, max_sessions, clock
        self._data: OrderedDict[str, tuple[float, SessionState]] = OrderedDict()
        self._lock = threading.RLock()
        self._session_locks: dict[str, threading.Lock] = {}

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
                evicted, _ = self._data.popitem(last=False)
                self._session_locks.pop(evicted, None)

    def update(self, session_id: str, fn: Callable[[SessionState | None], tuple[SessionState, T]]) -> T:
        with self._lock:
            lock = self._session_locks.setdefault(session_id, threading.Lock())
        with lock:  # one turn at a time per conversation; other conversations proceed
            state, result = fn(self.get(session_id))
            self.put(session_id, state)
            return result

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

