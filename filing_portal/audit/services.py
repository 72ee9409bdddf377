"""Writing and verifying the audit chain. `audit_record` is the only way events are written."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditEvent

GENESIS_HASH = "0" * 64
# Arbitrary constant key for the PostgreSQL advisory lock that serialises chain appends.
_CHAIN_LOCK_KEY = 0x6175646974  # "audit"


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "actor_role": event.actor_role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "comment": event.comment,
        "data": event.data,
        "ip": event.ip,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + _canonical(event)).hexdigest()


def audit_record(
    *,
    actor=None,
    action: str,
    obj: models.Model | None = None,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the chain (REC-01). Runs inside the caller's transaction.

    Appends are serialised (an advisory lock on PostgreSQL, SQLite's single writer
    elsewhere) so each event's `prev_hash` is the hash of the event before it.
    """
    # None is the system (the deadline sweep); an anonymous user is the public (an objection, a complaint).
    role = "system" if actor is None else (getattr(actor, "role", "") or "" if actor.is_authenticated else "public")
    actor = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(
            occurred_at=timezone.now(),
            actor=actor,
            actor_name=actor.get_username() if actor else "",
            actor_role=role,
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=str(obj)[:200] if obj is not None else "",
            from_state=from_state or "",
            to_state=to_state or "",
            comment=comment or "",
            data=json.loads(json.dumps(data or {}, default=str)),
            ip=ip,
            prev_hash=last or GENESIS_HASH,
        )
        event.hash = compute_hash(event.prev_hash, event)
        event.save(force_insert=True)
    return event


def rows_insert(model: type[models.Model], rows: list[dict[str, Any]], *, return_ids: bool = False) -> list[int]:
    """Insert plain rows (field name → value, the same fields in the same order in every row) without building
    model instances; with `return_ids`, the new primary keys in row order.

    For the batched sweeps: PostgreSQL's COPY (one statement per call, rows in list order, ids from the
    sequence in that order — reserved up front when they are wanted); elsewhere (SQLite) `bulk_create`.
    No signals, no `save()`, no auto_now fields: pass every non-null column.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        created = model._default_manager.bulk_create([model(**row) for row in rows])
        return [obj.pk for obj in created] if return_ids else []
    table = model._meta.db_table
    ids: list[int] = []
    if return_ids:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, model._meta.pk.column, len(rows)])
            ids = sorted(r[0] for r in cursor.fetchall())
        rows = [{model._meta.pk.attname: pk, **row} for pk, row in zip(ids, rows, strict=True)]
    fields = {name: model._meta.get_field(name) for name in rows[0]}  # a name or an attname (`user_id`)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields.values())
    sql = f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN"
    # psycopg adapts str, int, bool, date, aware datetime and None itself; only JSON needs Django's adapter.
    json_names = {name for name, f in fields.items() if isinstance(f, models.JSONField)}
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        if not json_names:
            for row in rows:
                copy.write_row(list(row.values()))
        else:
            preps = {name: fields[name].get_db_prep_save for name in json_names}
            for row in rows:
                copy.write_row([preps[name](value, connection) if name in preps else value
                                for name, value in row.items()])
    return ids


def audit_record_many(*, entries: list[dict[str, Any]], actor=None, ip: str | None = None) -> int:
    """Append many events to the chain at once (REC-01): one insert instead of one per event.

    Each entry holds `audit_record`'s keyword arguments (`action`, `obj`, `from_state`, `to_state`,
    `comment`, `data`); a batch job that has no model instances passes `object_type`, `object_id`
    and `object_repr` instead of `obj`. The events are chained in list order under the same lock as
    `audit_record` and hashed by the same `compute_hash`, so `audit_verify_chain` reads them like events
    appended one by one. Returns the number of events written.
    """
    if not entries:
        return 0
    role = "system" if actor is None else (getattr(actor, "role", "") or "" if actor.is_authenticated else "public")
    actor = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
        now = timezone.now()
        common = {"occurred_at": now, "actor_id": actor.pk if actor else None,
                  "actor_name": actor.get_username() if actor else "", "actor_role": role, "ip": ip}
        rows = []
        for entry in entries:
            obj = entry.get("obj")
            row = {
                **common,
                "action": entry["action"],
                "object_type": obj._meta.label_lower if obj is not None else entry.get("object_type", ""),
                "object_id": str(obj.pk) if obj is not None else str(entry.get("object_id", "")),
                "object_repr": (str(obj) if obj is not None else str(entry.get("object_repr", "")))[:200],
                "from_state": entry.get("from_state") or "",
                "to_state": entry.get("to_state") or "",
                "comment": entry.get("comment") or "",
                "data": json.loads(json.dumps(entry["data"], default=str)) if entry.get("data") else {},
                "prev_hash": prev,
            }
            # The hash of exactly what `audit_record` would have stored (the same canonical form).
            row["hash"] = prev = compute_hash(prev, SimpleNamespace(**row))
            rows.append(row)
        rows_insert(AuditEvent, rows)
    return len(rows)


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def audit_verify_chain(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the chain in order and report the first event whose link or content does not match."""
    prev = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size):
        if event.prev_hash != prev:
            return ChainReport(checked, event.pk, "prev_hash does not match the previous event's hash")
        if compute_hash(prev, event) != event.hash:
            return ChainReport(checked, event.pk, "content does not match its hash (the row was altered)")
        prev = event.hash
        checked += 1
    return ChainReport(checked)


def audit_events_for(obj: models.Model):
    """The object's history, oldest first."""
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related("actor")
