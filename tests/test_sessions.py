from __future__ import annotations

from bot.sessions import MemorySessionStore, SessionState, new_session_id


def test_ttl_expires_idle_sessions(clock) -> None:
    store = MemorySessionStore(ttl_seconds=60, max_sessions=10, clock=clock)
    store.put("a", SessionState(days=3))
    clock.now += 59
    assert store.get("a") is not None and store.get("a").days == 3
    clock.now += 2
    assert store.get("a") is None


def test_size_cap_evicts_least_recently_used() -> None:
    store = MemorySessionStore(ttl_seconds=60, max_sessions=2)
    store.put("a", SessionState())
    store.put("b", SessionState())
    store.get("a")
    store.put("c", SessionState())
    assert store.get("b") is None and store.get("a") is not None and len(store) == 2


def test_remember_keeps_the_last_answers() -> None:
    state = SessionState()
    for i in range(25):
        state.remember(f"m{i}", f"q{i}", None)
    assert len(state.recent) == 20 and "m24" in state.recent and "m0" not in state.recent


def test_session_ids_are_unguessable_and_url_safe() -> None:
    ids = {new_session_id() for _ in range(100)}
    assert len(ids) == 100 and all(len(i) >= 20 and i.replace("-", "").replace("_", "").isalnum() for i in ids)
