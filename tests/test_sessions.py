from __future__ import annotations

import threading
from decimal import Decimal

from bot.sessions import MemorySessionStore, SessionState, Slots, new_session_id
from bot.vague import Approx


def test_ttl_expires_idle_sessions(clock) -> None:
    store = MemorySessionStore(ttl_seconds=60, max_sessions=10, clock=clock)
    store.put("a", SessionState(slots=Slots(days=3)))
    clock.now += 59
    state = store.get("a")
    assert state is not None and state.slots.days == 3
    clock.now += 2
    assert store.get("a") is None


def test_size_cap_evicts_least_recently_used() -> None:
    store = MemorySessionStore(ttl_seconds=60, max_sessions=2)
    store.put("a", SessionState())
    store.put("b", SessionState())
    store.get("a")
    store.put("c", SessionState())
    assert store.get("b") is None and store.get("a") is not None and len(store) == 2


def test_after_turn_keeps_the_last_answers() -> None:
    state = SessionState()
    for i in range(25):
        state = state.after_turn(Slots(), None, f"m{i}", f"q{i}", None)
    assert len(state.recent) == 20 and state.answered("m24") == ("q24", None) and state.answered("m0") is None
    assert state.turns == 25


def test_state_round_trips_through_json() -> None:
    approx = Approx("days", "more", Decimal(30), None, "一个多月")
    state = SessionState(Slots(Decimal("1200.50"), None, 30, approx, Decimal("0.0004"), "daily"), "principal", 3,
                         (("m1", "问题", "penalty"),))
    assert SessionState.from_json(state.to_json()) == state


def test_concurrent_updates_of_one_session_lose_nothing() -> None:
    store = MemorySessionStore(ttl_seconds=60, max_sessions=10)

    def add_one(state: SessionState | None):
        state = state or SessionState()
        return state.after_turn(state.slots, None, "m", "q", None), None

    threads = [threading.Thread(target=lambda: [store.update("s", add_one) for _ in range(50)]) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    state = store.get("s")
    assert state is not None and state.turns == 400


def test_session_ids_are_unguessable_and_url_safe() -> None:
    ids = {new_session_id() for _ in range(100)}
    assert len(ids) == 100 and all(len(i) >= 20 and i.replace("-", "").replace("_", "").isalnum() for i in ids)
