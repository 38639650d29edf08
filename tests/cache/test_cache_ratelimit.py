"""Rate limiting per OAuth client (issue 10 acceptance 4): over the limit a client is refused with a
retry time; other clients are unaffected; concurrent clients get fair shares."""

from __future__ import annotations

import threading
import time

import pytest

from promptsales.cache import RateLimiter, RateLimitExceeded


def test_client_over_its_limit_is_refused_with_retry_time_and_others_are_not(cache, unique):
    limiter = RateLimiter(cache, rate=5, burst=10, bucket=f"t{unique}")
    decisions = [limiter.check("greedy") for _ in range(10)]
    assert all(decision.allowed for decision in decisions)
    refused = limiter.check("greedy")
    assert not refused.allowed
    assert 0 < refused.retry_after <= 0.2 + 0.01  # one token comes back every 1/5 s
    with pytest.raises(RateLimitExceeded, match=r"retry after 0\.\d\d s"):
        limiter.enforce("greedy")
    assert limiter.check("polite").allowed  # a different client has its own bucket
    time.sleep(refused.retry_after + 0.05)
    assert limiter.check("greedy").allowed  # after the advertised wait it may call again


def test_concurrent_clients_get_fair_shares(cache, unique):
    limiter = RateLimiter(cache, rate=20, burst=5, bucket=f"f{unique}")
    allowed = {"a": 0, "b": 0}
    stop = time.monotonic() + 1.0
    lock = threading.Lock()

    def hammer(client):
        while time.monotonic() < stop:
            if limiter.check(client).allowed:
                with lock:
                    allowed[client] += 1

    threads = [threading.Thread(target=hammer, args=(client,)) for client in ("a", "a", "a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Each client: burst 5 + about 20 per second, whatever its number of threads (a has 3, b has 1).
    for client in ("a", "b"):
        assert 20 <= allowed[client] <= 30, allowed
    assert abs(allowed["a"] - allowed["b"]) <= 4, allowed


def test_limits_must_be_positive(cache):
    from promptsales.errors import UserError

    with pytest.raises(UserError):
        RateLimiter(cache, rate=0, burst=1)
