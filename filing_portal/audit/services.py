"""Writing and verifying the audit chain. `audit_record` is the only way events are written."""

from __future__ import annotations

import datetime as dt
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


# The canonical form's encoder, built once (json.dumps with these options builds one per call).
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


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
    return _CANONICAL.encode(payload).encode()


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
    # No savepoint: an event that cannot be written fails the caller's whole transaction, so no state change
    # can commit without its event (and the append costs two round trips fewer, held under the chain lock).
    with transaction.atomic(savepoint=False):
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
    # psycopg adapts str, int, bool, date, aware datetime and None itself. JSON goes as its text (with the
    # field's encoder), which the jsonb column parses: encoded once, not wrapped per value by the field's
    # adapter and encoded again by psycopg's. None stays SQL NULL, as Django stores it.
    dumps = {name: (f.encoder or json.JSONEncoder)(ensure_ascii=False).encode
             for name, f in fields.items() if isinstance(f, models.JSONField)}
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        if not dumps:
            for row in rows:
                copy.write_row(list(row.values()))
        else:
            for row in rows:
                copy.write_row([dumps[name](value) if name in dumps and value is not None else value
                                for name, value in row.items()])
    return ids


# Values psycopg writes into COPY itself; anything else (a FieldFile, a Decimal, JSON…) goes through the field.
_COPY_PLAIN_TYPES = frozenset({str, int, bool, type(None), dt.date, dt.datetime})


def instances_rows(objs: list[models.Model]) -> list[dict[str, Any]]:
    """The COPY rows of new instances of one model, every column prepared as the model prepares it for an
    INSERT, and on PostgreSQL their primary keys reserved from the sequence; for `instances_insert`.

    A field with its own `pre_save` (auto dates, files, keyed indexes) runs it; a value that is not a plain
    str, int, bool, date or datetime — or any value of a field class of our own (encrypted text) — goes through
    `get_db_prep_save`. Plain values of Django's own fields are written as they are: that is what makes COPY of
    10,000 certificates about three times faster than bulk_create, whose INSERT prepares and quotes every
    value in Python.
    """
    if not objs or connection.vendor != "postgresql":
        return []
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    own_pre_save = [f for f in fields if type(f).pre_save is not models.Field.pre_save]
    json_names = {f.attname for f in fields if isinstance(f, models.JSONField)}  # rows_insert encodes JSON
    own_class = {f.attname for f in fields if not type(f).__module__.startswith("django.")} - json_names
    rows = []
    for obj in objs:
        for f in own_pre_save:
            setattr(obj, f.attname, f.pre_save(obj, True))
        row = {}
        stored = obj.__dict__  # where Model.__init__ put each attname's value (read without descriptors)
        for f in fields:
            value = stored[f.attname]
            if f.attname in own_class or (f.attname not in json_names and type(value) not in _COPY_PLAIN_TYPES):
                value = f.get_db_prep_save(getattr(obj, f.attname), connection)
            row[f.attname] = value
        rows.append(row)
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [model._meta.db_table, pk.column, len(rows)])
        ids = sorted(r[0] for r in cursor.fetchall())
    return [{pk.attname: value, **row} for value, row in zip(ids, rows, strict=True)]


def instances_insert(objs: list[models.Model], rows: list[dict[str, Any]] | None = None, *,
                     late: tuple[str, ...] = ()) -> list[models.Model]:
    """`bulk_create` for many new instances of one model, by COPY on PostgreSQL; the instances, with their
    primary keys. Elsewhere, `bulk_create` itself. No signals, like bulk_create.

    `rows` are the instances' `instances_rows`, when the caller prepared them earlier (certificates_issue does
    so before it locks its number counters, to hold the lock for the COPY only); the plain-valued fields named
    in `late` are read from the instances again (the numbers given after the lock).
    """
    if not objs:
        return []
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs, batch_size=2000)
    if rows is None:
        rows = instances_rows(objs)
    for name in late:
        for obj, row in zip(objs, rows, strict=True):
            row[name] = getattr(obj, name)
    rows_insert(model, rows)
    pk = model._meta.pk.attname
    for obj, row in zip(objs, rows, strict=True):
        setattr(obj, pk, row[pk])
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


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
    # No savepoint: an event that cannot be written fails the caller's whole transaction, so no state change
    # can commit without its event (and the append costs two round trips fewer, held under the chain lock).
    with transaction.atomic(savepoint=False):
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
