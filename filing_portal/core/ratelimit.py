"""Fixed-window rate limits on the shared cache (Redis in production).

The key is the client IP as `ClientIPMiddleware` resolved it: X-Forwarded-For
counts only through our own proxies, so a forged header does not reset a limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0
    limit: Limit | None = None


def _counters_hit(counters: list[tuple[str, int]]) -> list[int] | None:
    """Add 1 to each `(key, timeout)` counter, created at 0 with its timeout; the new values, or None when
    the cache is unreachable. Redis does all of them in one round trip (`FailSoftRedisCache.counters_hit`);
    any other cache (locmem in tests and on a bare machine) with add and incr."""
    hit = getattr(cache, "counters_hit", None)
    if hit is not None:
        return hit(counters)
    used = []
    for key, timeout in counters:
        cache.add(key, 0, timeout=timeout)
        try:
            used.append(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=timeout)
            used.append(1)
    return used


def rate_limit_hit(scope: str, client: str, limits: tuple[Limit, ...], *, now: float | None = None) -> Verdict:
    """Count one request of `client` in `scope`; refuse when any window is full."""
    now = time.time() if now is None else now
    windows = [(limit, int(now // limit.seconds)) for limit in limits]
    used = _counters_hit([(f"rl:{scope}:{limit.seconds}:{window}:{client}", limit.seconds + 5)
                          for limit, window in windows])
    if used is None:  # Redis unreachable: the limits let requests through until it is back
        return Verdict(True)
    for (limit, window), count in zip(windows, used, strict=True):
        if count > limit.count:
            return Verdict(False, retry_after=int((window + 1) * limit.seconds - now) + 1, limit=limit)
    return Verdict(True)
