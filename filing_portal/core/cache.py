"""The cache on Redis, failing soft: Redis unreachable reads as a cache miss, never as a 500 (docs/FAULTS.md).

What the portal keeps in the cache can be lost: rate-limit counters (filing_portal/core/ratelimit.py) and
nothing else that a page needs to answer. Sessions and the login lockout live in the database. So while
Redis is down every cache call returns what an empty cache would (get: the default, add: False, incr:
ValueError "not found", writes do nothing); the rate limits let requests through until it is back.

One warning is logged when an outage starts and one line when Redis answers again. After a failure the
backend does not try Redis again for `RETRY_SECONDS` (OPTIONS, default 5), so a request does not wait on
a dead server once per cache call; the connect and read timeouts (1 s by default) bound the first wait
when the server hangs instead of refusing.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("filing_portal.cache")

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

# KEYS[i] is created at 0 with the timeout ARGV[i] (seconds) unless it exists, then incremented: what
# SET NX EX + INCR per key did in a pipeline, as one command.
_COUNTERS_LUA = """
local out = {}
for i, key in ipairs(KEYS) do
  redis.call('SET', key, 0, 'EX', ARGV[i], 'NX')
  out[i] = redis.call('INCR', key)
end
return out
"""

# Outage state per server list, shared by the threads of a process (each thread has its own backend).
_state_lock = threading.Lock()
_down_until: dict[str, float] = {}


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        super().__init__(server, {**params, "OPTIONS": options})
        self._state_key = server if isinstance(server, str) else ",".join(server)

    def _call(self, fallback, method, *args, **kwargs):
        return self._guarded(fallback, getattr(super(), method), *args, **kwargs)

    def _guarded(self, fallback, function, *args, **kwargs):
        key = self._state_key
        if _down_until.get(key, 0.0) > time.monotonic():
            return fallback()
        try:
            result = function(*args, **kwargs)
        except UNREACHABLE as exc:
            with _state_lock:
                was_up = key not in _down_until
                _down_until[key] = time.monotonic() + self.retry_seconds
            if was_up:
                logger.warning("cache unavailable (%s: %s): serving without it until Redis answers again",
                               type(exc).__name__, exc)
            return fallback()
        if key in _down_until:
            with _state_lock:
                if _down_until.pop(key, None) is not None:
                    logger.info("cache available again")
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: False, "add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(lambda: default, "get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: None, "set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: False, "touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call(lambda: False, "delete", key, version)

    def get_many(self, keys, version=None):
        return self._call(dict, "get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call(lambda: False, "has_key", key, version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)")

        return self._call(missing, "incr", key, delta, version)

    def counters_hit(self, counters, version=None):
        """Add 1 to each `(key, timeout)` counter, creating it at 0 with its timeout first, in one command (the
        rate limits: a Lua script, so one round trip and one reply, on a client kept by this backend instead of
        one built per call). The new values in order; None while Redis is unreachable."""

        def run():
            names = [self.make_and_validate_key(key, version=version) for key, _timeout in counters]
            timeouts = [int(timeout) for _key, timeout in counters]
            return [int(v) for v in self._counters_script()(keys=names, args=timeouts)]

        return self._guarded(lambda: None, run)

    def _counters_script(self):
        script = getattr(self, "_counters", None)
        if script is None:  # redis-py's Script: EVALSHA, loading the script again after a Redis restart
            script = self._counters = self._cache.get_client(write=True).register_script(_COUNTERS_LUA)
        return script

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: list(data), "set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(lambda: None, "delete_many", keys, version)

    def clear(self):
        return self._call(lambda: False, "clear")
