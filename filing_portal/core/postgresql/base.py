"""Django's PostgreSQL backend, with a cheaper health check for a connection in steady use.

`CONN_HEALTH_CHECKS` (settings/base.py, docs/FAULTS.md) makes Django send `SELECT 1` before the first query of
every request that reuses a persistent connection. Under the public verification's load that round trip was
one statement in two and about 14% of a request's CPU (0.6 ms in gunicorn, 0.13 ms in PostgreSQL,
docs/PERFORMANCE.md). A connection that is dead in the ways the check exists for — the server restarted or
terminated it (`pg_ctl restart -m fast`, `pg_terminate_backend`), a proxy closed it — has already been told
so: the server's FATAL message or its FIN is waiting on the socket, and a poll with no timeout sees it. So:

* used in the last `QUICK_CHECK_WINDOW` seconds, idle in no transaction, and nothing waiting on its socket:
  usable, without a round trip;
* otherwise (idle for longer, or anything unread on the socket): Django's own check, `SELECT 1`.

The same idea as HikariCP's `aliveBypassWindowMs` (a connection used within the last 500 ms is not
validated again), with the socket looked at as well.
"""

from __future__ import annotations

import select
import time

from django.db.backends.postgresql import base as postgresql

try:
    from psycopg.pq import TransactionStatus
except ImportError:  # psycopg2 is not what this project runs, but Django's backend supports it
    TransactionStatus = None

# Seconds since the connection was last checked (and then used) in which the socket's silence is enough.
QUICK_CHECK_WINDOW = 10.0

_UNSOLICITED = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL


class DatabaseWrapper(postgresql.DatabaseWrapper):
    _checked_at: float | None = None

    def connect(self):
        super().connect()
        self._checked_at = time.monotonic()

    def _quiet(self) -> bool:
        """The connection is open, idle outside a transaction, and nothing has arrived that nobody asked for."""
        raw = self.connection
        if TransactionStatus is None or raw.closed or raw.broken:
            return False
        if raw.info.transaction_status != TransactionStatus.IDLE:
            return False
        poller = select.poll()
        try:
            poller.register(raw.fileno(), _UNSOLICITED)
        except (ValueError, OSError):
            return False
        return not poller.poll(0)

    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done or self.pool:
            return super().close_if_health_check_failed()
        now = time.monotonic()
        if self._checked_at is not None and now - self._checked_at < QUICK_CHECK_WINDOW and self._quiet():
            self.health_check_done = True
        else:
            super().close_if_health_check_failed()  # SELECT 1; closes the connection if that fails
        self._checked_at = now if self.connection is not None else None
