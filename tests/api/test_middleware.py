from __future__ import annotations

from limits import storage

from bot.api.middleware import RateLimiter, _utf8_json


def test_a_client_gets_its_limit_in_any_minute_and_others_are_independent() -> None:
    limiter = RateLimiter(per_minute=3, store=storage.MemoryStorage())
    assert [limiter.take("a") for _ in range(3)] == [0, 0, 0]
    wait = limiter.take("a")
    assert 1 <= wait <= 60
    assert limiter.take("b") == 0


def test_the_window_is_one_minute() -> None:
    limiter = RateLimiter(per_minute=1, store=storage.MemoryStorage())
    assert limiter.take("a") == 0 and 50 <= limiter.take("a") <= 60
    assert limiter.item.get_expiry() == 60


def test_only_utf8_json_is_accepted() -> None:
    assert _utf8_json("application/json") and _utf8_json("application/json; charset=UTF-8")
    assert not _utf8_json("application/json; charset=gbk") and not _utf8_json("text/plain") and not _utf8_json(None)
