"""Rate limits on the real Redis (the production cache): every window counted in one round trip, each
counter created with its timeout, the same verdicts as the portable path, and Redis down lets requests
through (docs/FAULTS.md). CERT-05's verification limits (10 a minute, 100 a day) run on this."""

from __future__ import annotations

import pytest
import redis

from filing_portal.core.ratelimit import Limit, rate_limit_hit

REDIS_URL = "redis://127.0.0.1:6379/11"
LIMITS = (Limit(3, 60), Limit(5, 86400))


def _redis_or_skip():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return client


@pytest.fixture
def redis_cache(settings):
    client = _redis_or_skip()
    client.flushdb()
    settings.CACHES = {"default": {"BACKEND": "filing_portal.core.cache.FailSoftRedisCache",
                                   "LOCATION": REDIS_URL, "OPTIONS": {"RETRY_SECONDS": 0}}}
    from django.core.cache import cache  # Django's setting_changed handler reconnects it to the new CACHES

    yield cache, client
    client.flushdb()


def test_each_window_counts_and_the_first_full_one_refuses__CERT_05(redis_cache):
    cache, client = redis_cache
    assert hasattr(cache, "counters_hit")
    now = 1_800_000_000.0
    verdicts = [rate_limit_hit("verify-test", "10.0.0.1", LIMITS, now=now + i) for i in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert verdicts[-1].limit == LIMITS[0] and 0 < verdicts[-1].retry_after <= 61
    keys = sorted(k.decode() for k in client.keys("*verify-test*"))
    assert len(keys) == 2 and all(k.endswith(":10.0.0.1") for k in keys)
    minute = next(k for k in keys if ":60:" in k)
    day = next(k for k in keys if ":86400:" in k)
    assert int(client.get(minute)) == 4 and int(client.get(day)) == 4
    assert 0 < client.ttl(minute) <= 65 and 86_000 < client.ttl(day) <= 86_405
    # another client has its own counters; the next minute starts again until the day is full
    assert rate_limit_hit("verify-test", "10.0.0.2", LIMITS, now=now).allowed
    assert rate_limit_hit("verify-test", "10.0.0.1", LIMITS, now=now + 60).allowed
    refused = rate_limit_hit("verify-test", "10.0.0.1", LIMITS, now=now + 61)
    assert not refused.allowed and refused.limit == LIMITS[1]


def test_redis_unreachable_lets_requests_through__CERT_05(settings):
    settings.CACHES = {"default": {"BACKEND": "filing_portal.core.cache.FailSoftRedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"RETRY_SECONDS": 0}}}
    assert all(rate_limit_hit("verify-test", "10.0.0.9", LIMITS, now=1_800_000_000.0 + i).allowed
               for i in range(10))


def test_counters_survive_a_redis_restart_that_forgot_the_script__CERT_05(redis_cache):
    """The counters are one Lua script (EVALSHA); a restarted Redis has lost it, and the next hit loads it
    again instead of failing open."""
    cache, client = redis_cache
    now = 1_800_000_000.0
    assert rate_limit_hit("verify-test", "10.0.0.3", LIMITS, now=now).allowed
    client.script_flush()
    verdicts = [rate_limit_hit("verify-test", "10.0.0.3", LIMITS, now=now + i).allowed for i in range(1, 4)]
    assert verdicts == [True, True, False]  # counted on: 2, 3, then the fourth in the minute is refused
    assert int(client.get(next(k for k in client.keys("*verify-test*:60:*10.0.0.3")))) == 4

