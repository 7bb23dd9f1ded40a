from __future__ import annotations

from bot.api.middleware import TokenBucketLimiter


def test_bucket_allows_bursts_then_waits_then_refills(clock) -> None:
    limiter = TokenBucketLimiter(per_minute=3, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [0, 0, 0]
    wait = limiter.take("a")
    assert 19 < wait <= 20
    assert limiter.take("b") == 0  # other clients are independent
    clock.now += 20
    assert limiter.take("a") == 0


def test_bucket_memory_is_bounded() -> None:
    limiter = TokenBucketLimiter(per_minute=1, max_clients=10)
    for i in range(100):
        limiter.take(f"client-{i}")
    assert len(limiter._buckets) == 10
