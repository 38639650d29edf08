"""Rate limiting per OAuth client (issue 10 acceptance 4): over the limit a client is refused with a
retry time; other clients are unaffected; concurrent clients get fair shares."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from promptsales.cache import RateLimiter, RateLimitExceeded


def test_client_over_its_limit_is_refused_with_retry_time_and_others_are_not(cache, unique, manual_clock):
    limiter = RateLimiter(cache, rate=5, burst=10, bucket=f"t{unique}", clock=manual_clock)
    decisions = [limiter.check("greedy") for _ in range(10)]
    assert all(decision.allowed for decision in decisions)
    assert [decision.remaining for decision in decisions] == list(range(9, -1, -1))
    refused = limiter.check("greedy")
    assert not refused.allowed and refused.retry_after == 0.2  # one token comes back every 1/5 s
    with pytest.raises(RateLimitExceeded, match=r"retry after 0\.20 s \(1 s\)"):
        limiter.enforce("greedy")
    assert limiter.check("polite").allowed  # a different client has its own bucket
    manual_clock.advance(199)
    early = limiter.check("greedy")
    assert not early.allowed and 0 < early.retry_after <= 0.002  # 1 ms to go (ceil of float arithmetic)
    manual_clock.advance(1)
    assert limiter.check("greedy").allowed  # after the advertised wait it may call again …
    assert not limiter.check("greedy").allowed  # … once


def test_concurrent_clients_get_fair_shares(cache, unique, manual_clock):
    """Each client gets its burst plus its rate, whatever its number of threads (a has 3, b has 1)."""
    limiter = RateLimiter(cache, rate=20, burst=5, bucket=f"f{unique}", clock=manual_clock)
    allowed = {"a": 0, "b": 0}

    def hammer(client: str) -> list[bool]:
        return [limiter.check(client).allowed for _ in range(6)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        for step in range(21):  # the first step spends the bursts, then 20 steps of 50 ms = one token each
            if step:
                manual_clock.advance(50)
            clients = ("a", "a", "a", "b")
            for client, outcomes in zip(clients, pool.map(hammer, clients)):
                allowed[client] += sum(outcomes)
    assert allowed == {"a": 5 + 20, "b": 5 + 20}


def test_limits_must_be_positive(cache):
    from promptsales.errors import UserError

    with pytest.raises(UserError):
        RateLimiter(cache, rate=0, burst=1)
