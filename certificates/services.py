"""Every write of the certificates app: allocating numbers, retiring them, issuing and voiding certificates.

Numbers come from `NumberCounter` rows locked for the length of the caller's
transaction, so parallel issuers for the same scope queue up and get distinct,
contiguous serials; a unique constraint on every number is the backstop.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NoReturn

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, F, PositiveIntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from filing_portal.audit.services import audit_record, instances_insert, instances_rows
from filing_portal.core.allocation import gc_paused
from filing_portal.core.errors import DomainError
from filing_portal.core.workflow import transition_run
from filing_portal.personal_data import validate_id_number

from .models import Certificate, FilingNumber, NationalUpload, NumberCounter, PdfJob
from .numbers import (
    CERTIFICATE_SERIAL_MAX,
    FILING_SERIAL_MAX,
    build_certificate_number,
    build_filing_number,
    parse_filing_number,
)

logger = logging.getLogger("certificates")


def serials_reserve(*, scope: str, count: int, limit: int, rule: str, what: str) -> int:
    """Reserve `count` consecutive serials in `scope`; returns the first. Must run inside a transaction.

    The one numbering mechanism: filing and certificate numbers, and seed_scale's bulk data, all reserve here
    (through `serials_reserve_many`).
    """
    return serials_reserve_many(counts={scope: count}, limit=limit, rule=rule, what=what)[scope]


# PostgreSQL: reserve in every scope by one upsert. The asked rows go in scope order, so two reservers of
# overlapping scopes lock them in the same order (they queue, never deadlock); a scope that would pass the
# limit is left as it was (and not returned).
_RESERVE_SQL = """
INSERT INTO certificates_numbercounter AS counter (scope, last)
SELECT scope, count FROM unnest(%s::varchar[], %s::integer[]) AS asked (scope, count) ORDER BY scope
ON CONFLICT (scope) DO UPDATE SET last = counter.last + EXCLUDED.last WHERE counter.last + EXCLUDED.last <= %s
RETURNING scope, last
"""
_UNRESERVE_SQL = """
UPDATE certificates_numbercounter AS counter SET last = counter.last - asked.count
FROM unnest(%s::varchar[], %s::integer[]) AS asked (scope, count) WHERE counter.scope = asked.scope
"""


def serials_reserve_many(*, counts: Mapping[str, int], limit: int, rule: str, what: str) -> dict[str, int]:
    """Reserve `counts[scope]` consecutive serials in each scope at once; the first serial of each scope.

    Must run inside a transaction, which keeps the counter rows locked until it ends: the reserve commits or
    rolls back with the numbers it hands out (NUM-07: no duplicate, no gap). The counters are locked in scope
    order, so two reservers of overlapping scopes queue and never deadlock. On PostgreSQL this is one upsert
    whatever the number of scopes (the lock is taken by the statement that moves the counter on). Nothing is
    reserved if any scope would pass `limit`.
    """
    if not counts or min(counts.values()) < 1:
        raise ValueError("every count must be positive")
    scopes = sorted(counts)
    if connection.vendor == "postgresql":
        asked = [scopes, [counts[scope] for scope in scopes]]
        with connection.cursor() as cursor:
            cursor.execute(_RESERVE_SQL, [*asked, limit])
            last = dict(cursor.fetchall())
            if len(last) == len(scopes) and max(counts.values()) <= limit:
                return {scope: last[scope] - counts[scope] + 1 for scope in scopes}
            # A scope is used up: give back what the others took before saying so (the locks stay held).
            given = [scope for scope in scopes if scope in last]
            cursor.execute(_UNRESERVE_SQL, [given, [counts[scope] for scope in given]])
        before = {c.scope: c.last for c in NumberCounter.objects.filter(scope__in=scopes)}
        full = next(scope for scope in scopes if before.get(scope, 0) + counts[scope] > limit)
        _exhausted(what, max(limit - before.get(full, 0), 0), counts[full], limit, rule)
    NumberCounter.objects.bulk_create([NumberCounter(scope=scope) for scope in scopes], ignore_conflicts=True)
    counters = list(NumberCounter.objects.select_for_update().filter(scope__in=scopes).order_by("scope"))
    for counter in counters:
        if counter.last + counts[counter.scope] > limit:
            _exhausted(what, max(limit - counter.last, 0), counts[counter.scope], limit, rule)
    NumberCounter.objects.filter(scope__in=scopes).update(last=F("last") + Case(
        *[When(scope=scope, then=Value(counts[scope])) for scope in scopes], output_field=PositiveIntegerField()))
    return {counter.scope: counter.last + 1 for counter in counters}


def _exhausted(what: str, left: int, count: int, limit: int, rule: str) -> NoReturn:
    raise DomainError(
        _("%(what)s are used up: %(left)d left, %(count)d asked for (the last serial is %(limit)d).")
        % {"what": what, "left": left, "count": count, "limit": limit},
        rule=rule, code="numbers_exhausted",
    )


@transaction.atomic
def filing_number_allocate(
    *,
    kind: str,
    province_code: str,
    city_code: str,
    institution_code: str = "0000",
    holder_name: str = "",
    institution_id: int | None = None,
    acting_user=None,
) -> FilingNumber:
    """NUM-01/02/08: the next filing number for (province, city), in filing order.

    `city_code` is the province's own two-digit code (NUM-08), "00" for a
    province-level institution. The 9,999th number is the last (DomainError NUM-01).
    """
    build_filing_number(kind, institution_code, province_code, city_code, 1)  # validates the parts
    serial = serials_reserve(
        scope=f"F{province_code}{city_code}", count=1, limit=FILING_SERIAL_MAX, rule="NUM-01",
        what=_("Filing numbers of this city"),
    )
    number = FilingNumber.objects.create(
        number=build_filing_number(kind, institution_code, province_code, city_code, serial),
        kind=kind, institution_code=institution_code, province_code=province_code, city_code=city_code,
        serial=serial, holder_name=holder_name, institution_id=institution_id,
    )
    audit_record(actor=acting_user, action="filing_number.allocate", obj=number, to_state="active",
                 data={"holder_name": holder_name})
    return number


def _active_number(number: str) -> FilingNumber:
    try:
        return FilingNumber.objects.get(number=parse_filing_number(number).number)
    except FilingNumber.DoesNotExist:
        raise DomainError(_("Filing number %(n)s was never allocated.") % {"n": number}, rule="NUM-01",
                          code="unknown_number") from None


@transaction.atomic
def filing_number_retire(
    *, number: str, reason: str, acting_user=None, on: dt.date | None = None, successor: FilingNumber | None = None,
) -> FilingNumber:
    """NUM-03: put a number in the retired pool (cancelled, revoked, merged, …); it stays resolvable."""
    if reason not in FilingNumber.RetiredReason.values:
        raise ValueError(f"unknown retirement reason {reason!r}")
    record = _active_number(number)
    return transition_run(
        instance=record, name="retire", acting_user=acting_user,
        params={"reason": reason, "on": on or timezone.localdate(), "successor": successor},
        comment=reason,
    )


@transaction.atomic
def filing_numbers_merge(
    *, numbers: Sequence[str], kind: str, province_code: str, city_code: str, holder_name: str,
    institution_code: str = "0000", institution_id: int | None = None, acting_user=None,
) -> FilingNumber:
    """NUM-04 merger: the new institution gets a new number; every merged number is retired."""
    if len(set(numbers)) < 2:
        raise DomainError(_("A merger needs at least two institutions."), rule="NUM-04", code="invalid_merger")
    records = [_active_number(n) for n in numbers]
    new = filing_number_allocate(
        kind=kind, province_code=province_code, city_code=city_code, institution_code=institution_code,
        holder_name=holder_name, institution_id=institution_id, acting_user=acting_user,
    )
    for record in records:
        filing_number_retire(number=record.number, reason="merged", successor=new, acting_user=acting_user)
    return new


@transaction.atomic
def filing_number_absorb(*, absorber: str, absorbed: str, acting_user=None) -> FilingNumber:
    """NUM-04 absorption: the absorbing institution keeps its number; the absorbed one's is retired."""
    keeper = _active_number(absorber)
    if keeper.status != "active":
        raise DomainError(_("The absorbing institution's number %(n)s is retired.") % {"n": keeper.number},
                          rule="NUM-04", code="retired_number")
    if keeper.number == parse_filing_number(absorbed).number:
        raise DomainError(_("An institution cannot absorb itself."), rule="NUM-04", code="invalid_merger")
    filing_number_retire(number=absorbed, reason="absorbed", successor=keeper, acting_user=acting_user)
    return keeper


@dataclass(frozen=True)
class HolderData:
    """One passer to certify: what is printed on the certificate besides the institution's data."""

    holder_name: str
    id_type: str
    id_number: str
    level: int
    occupation_code: str
    occupation_name: str
    work_type: str = ""
    employer: str = ""
    photo: object | None = field(default=None, compare=False)  # a Django File, optional


def _validate_holders(holders: Sequence[HolderData]) -> list[HolderData]:
    """CERT-02 and the level code for every row; every bad row is reported, nothing is saved."""
    errors: dict[str, list[str]] = {}
    clean = []
    for index, holder in enumerate(holders, start=1):
        row = []
        if not holder.holder_name.strip():
            row.append(_("the name is empty"))
        try:
            number = validate_id_number(holder.id_type, holder.id_number)
        except ValidationError as exc:
            row.extend(exc.messages)
            number = holder.id_number
        if holder.level not in (1, 2, 3, 4, 5):
            row.append(_("NUM-06: the level must be 1–5"))
        if holder.photo:
            from .photos import photo_bytes, photo_validate

            try:
                photo_validate(photo_bytes(holder.photo))
            except ValidationError as exc:
                row.append(_("CERT-04: the photo of %(name)s: %(error)s")
                           % {"name": holder.holder_name.strip(), "error": " ".join(exc.messages)})
        if row:
            errors[_("row %(n)d") % {"n": index}] = row
        clean.append(HolderData(**{**holder.__dict__, "holder_name": holder.holder_name.strip(), "id_number": number}))
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def certificates_issue(
    *,
    filing_number: str,
    institution_name: str,
    issue_date: dt.date,
    holders: Sequence[HolderData],
    acting_user=None,
    extra_fields: dict | None = None,
) -> list[Certificate]:
    """NUM-05/07, ASM-06: certificates for a batch's passers, with consecutive serials per level.

    The filing number must be in use (a retired one issues nothing: NUM-03). The
    institution's standing (REN-02, SUP-07) is the caller's to check: it knows the filing.
    `extra_fields` carries the links the calling layer owns (e.g. the batch).
    """
    if not holders:
        raise DomainError(_("There is nobody to certify."), rule="ASM-06", code="nothing_to_issue")
    record = _active_number(filing_number)
    if record.status != "active":
        raise DomainError(_("Filing number %(n)s is retired and issues no certificates.") % {"n": record.number},
                          rule="NUM-03", code="retired_number")
    with gc_paused():
        clean = _validate_holders(holders)
        year = issue_date.year % 100
        by_level: dict[int, list[HolderData]] = {}
        for holder in clean:
            by_level.setdefault(holder.level, []).append(holder)
        levels = sorted(by_level)
        # Every row is built before the counters are locked: the lock is held until the transaction commits, and
        # other issuers of the same institution and year wait for it (bench_numbers: 8 parallel issuers).
        links = dict(extra_fields or {})
        for name in ("filing", "batch"):  # given, not each one's default (cheaper for 10,000 certificates)
            if name not in links:
                links.setdefault(f"{name}_id", None)
        certificates = [
            Certificate(
                filing_number=record.number, province_code=record.province_code, city_code=record.city_code,
                issue_year=year, level=level, holder_name=holder.holder_name, id_type=holder.id_type,
                id_number=holder.id_number, employer=holder.employer, occupation_code=holder.occupation_code,
                occupation_name=holder.occupation_name, work_type=holder.work_type, issue_date=issue_date,
                institution_name=institution_name, photo=holder.photo or "", **links,
            )
            for level in levels for holder in by_level[level]
        ]
        rows = instances_rows(certificates)  # columns prepared (IDs encrypted and indexed), primary keys drawn
        scopes = {level: f"C{record.number}{year:02d}{level}" for level in levels}
        first = serials_reserve_many(
            counts={scopes[level]: len(by_level[level]) for level in levels}, limit=CERTIFICATE_SERIAL_MAX,
            rule="NUM-05", what=_("Certificate serials of this institution, year and level"),
        )
        following = {level: first[scopes[level]] for level in levels}
        for certificate in certificates:
            serial = following[certificate.level]
            following[certificate.level] = serial + 1
            certificate.serial = serial
            certificate.number = build_certificate_number(record.number, year, certificate.level, serial)
        created = instances_insert(certificates, rows, late=("serial", "number"))
    audit_record(
        actor=acting_user, action="certificates.issue", obj=record,
        data={"count": len(created), "first": created[0].number, "last": created[-1].number,
              "issue_date": issue_date.isoformat(), **{k: str(v) for k, v in (extra_fields or {}).items()}},
    )
    return created


@transaction.atomic
def certificate_void(*, certificate: Certificate, reason: str, acting_user, ip: str | None = None) -> Certificate:
    """Void a certificate with reasons; it keeps its number and shows as voided wherever it is looked up."""
    if not (reason or "").strip():
        raise DomainError(_("A reason is required to void a certificate."), rule="NUM-07", code="reason_required")
    return transition_run(instance=certificate, name="void", acting_user=acting_user,
                          params={"reason": reason.strip()}, ip=ip)


# ASM-06 on PostgreSQL: 10,000 ids a statement, as an array; a certificate uploaded before keeps its row.
_MARK_UPLOADED_SQL = ("INSERT INTO certificates_nationalupload (certificate_id, uploaded_at)"
                      " SELECT id, %s FROM unnest(%s::bigint[]) AS id ON CONFLICT (certificate_id) DO NOTHING")


@transaction.atomic
def certificates_mark_uploaded(*, ids: Sequence[int], acting_user=None) -> int:
    """ASM-06: the certificates `ids` were uploaded to the national lookup now (the certificate info file was
    exported for it). One NationalUpload row each — a certificate uploaded before keeps its first time — and
    one audit event with the count (REC-01). Returns how many were uploaded for the first time."""
    ids = sorted(set(ids))
    if not ids:
        return 0
    now = timezone.now()
    # ids a statement: an array of 10,000 on PostgreSQL (one of 100,000 took 20 MB more at its peak); elsewhere
    # (SQLite) rows a bulk insert, under its bound-parameter limit
    size = 10_000 if connection.vendor == "postgresql" else 2000
    first = 0
    for start in range(0, len(ids), size):
        chunk = ids[start:start + size]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(_MARK_UPLOADED_SQL, [now, chunk])
                first += cursor.rowcount
        else:
            known = set(NationalUpload.objects.filter(certificate_id__in=chunk).values_list("certificate_id",
                                                                                             flat=True))
            first += len(NationalUpload.objects.bulk_create(
                [NationalUpload(certificate_id=pk, uploaded_at=now) for pk in chunk if pk not in known]))
    audit_record(actor=acting_user, action="certificates.export_national",
                 data={"count": len(ids), "first_upload": first})
    return first


MAX_PDF_JOB = 20000


def _pdf_job_send(job_id) -> bool:
    """Hand the job to a worker; False (logged) when the broker cannot be reached. The job row is committed
    already, so nothing is lost: `pdf_jobs_requeue` sends it again once the broker is back."""
    from .tasks import build_pdf_job

    try:
        # ignore_result: nobody waits here, and with Redis as result store a subscription per send would
        # hold the request ~20 s when Redis is down (docs/FAULTS.md).
        build_pdf_job.apply_async(args=[str(job_id)], ignore_result=True)
    except Exception as exc:  # the broker is down or unreachable
        logger.warning("PDF job %s not queued (%s: %s); it is sent again when the task queue is back",
                       job_id, type(exc).__name__, exc)
        return False
    return True


@transaction.atomic
def pdf_job_create(*, certificate_ids: Sequence[int], title: str, acting_user) -> PdfJob:
    """Queue one multi-page PDF of the given certificates; the worker starts once this commits.

    After the commit `job.sent` says whether the broker took the job (None until then): False means the
    task queue is down and the job waits for `pdf_jobs_requeue`; the request still succeeds.
    """
    ids = list(dict.fromkeys(int(i) for i in certificate_ids))
    if not ids:
        raise DomainError(_("There is no certificate to print."), code="nothing_to_print")
    if len(ids) > MAX_PDF_JOB:
        raise DomainError(_("At most %(n)d certificates fit in one PDF; narrow the search.") % {"n": MAX_PDF_JOB},
                          code="too_many")
    job = PdfJob.objects.create(requested_by=acting_user, title=title[:200], certificate_ids=ids, total=len(ids))
    audit_record(actor=acting_user, action="certificates.pdf_requested", obj=job, data={"count": len(ids)})
    job.sent = None
    transaction.on_commit(lambda: setattr(job, "sent", _pdf_job_send(job.pk)))
    return job


def _pdf_job_lock_key(job_id) -> int:
    return int.from_bytes(uuid.UUID(str(job_id)).bytes[:8], "big", signed=True)


@contextmanager
def _pdf_job_lock(job_id) -> Iterator[bool]:
    """Held by the one worker building the job; yields False when another live worker holds it.

    A dead worker holds nothing: on PostgreSQL it is a session advisory lock, which the server drops with
    the killed process's connection; elsewhere (SQLite, the one-machine embedded mode) a file lock, which
    the kernel drops with the process.
    """
    from django.db import DatabaseError, connection

    if connection.vendor == "postgresql":
        key = _pdf_job_lock_key(job_id)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            held = cursor.fetchone()[0]
        try:
            yield held
        finally:
            if held:
                try:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
                except DatabaseError:  # the connection is gone, and the lock with it
                    pass
        return
    import fcntl

    path = _pdf_job_lock_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pdf_job_lock_path(job_id):
    from pathlib import Path

    from django.conf import settings

    return Path(settings.MEDIA_ROOT) / "certificates" / "pdf-jobs" / ".locks" / f"{job_id}.lock"


def _pdf_job_being_built(job_id) -> bool:
    with _pdf_job_lock(job_id) as free:
        return not free


PDF_JOB_REQUEUE_AFTER_MINUTES = 10


def pdf_jobs_requeue(*, older_than_minutes: int = PDF_JOB_REQUEUE_AFTER_MINUTES, within_days: int = 3) -> int:
    """Send again the batch PDFs no worker has: still queued `older_than_minutes` after they were asked for
    (the broker was down, or the message was lost with it), or running with no live worker building them
    (its worker was killed). Runs every 5 minutes (beat); returns how many were sent.

    A job whose message is still waiting behind others may be sent twice; the second delivery finds it done
    (or being built) and changes nothing. Jobs older than `within_days` are left alone.
    """
    now = timezone.now()
    cutoff, oldest = now - dt.timedelta(minutes=older_than_minutes), now - dt.timedelta(days=within_days)
    pending = (PdfJob.objects.filter(status__in=[PdfJob.Status.QUEUED, PdfJob.Status.RUNNING],
                                     created_at__lte=cutoff, created_at__gte=oldest)
               .order_by("created_at").values_list("pk", flat=True)[:1000])
    sent = 0
    for pk in pending:
        if _pdf_job_being_built(pk):
            continue
        if not _pdf_job_send(pk):
            break  # the broker is still down: the next run tries again
        sent += 1
    if sent:
        logger.info("%d PDF job(s) sent again", sent)
    return sent


def pdf_job_build(*, job_id: str) -> str:
    """Render the job's PDF into a temporary file, then attach it; progress is saved every 50 pages.

    Safe to deliver twice or to rerun after a killed worker (docs/FAULTS.md): a job done is left as it is,
    a job a live worker is building is left to that worker (`_pdf_job_lock`), and a rerun replaces the
    file of the same name, so one PDF exists per job.
    """
    from django.db import connection

    job = PdfJob.objects.get(pk=job_id)
    if job.status == PdfJob.Status.DONE:
        return job.status
    with _pdf_job_lock(job.pk) as mine:
        if not mine:  # a second delivery while a live worker builds it: that worker finishes the job
            logger.info("PDF job %s is being built by another worker; this delivery changes nothing", job.pk)
            return PdfJob.Status.RUNNING
        job.refresh_from_db()
        if job.status == PdfJob.Status.DONE:  # finished while this delivery waited for the lock
            return job.status
        _pdf_job_render(job)
        if connection.vendor != "postgresql":
            _pdf_job_lock_path(job.pk).unlink(missing_ok=True)  # done: a later delivery reads "done" first
    return PdfJob.Status.DONE


def _pdf_job_render(job: PdfJob) -> None:
    import tempfile

    from django.core.files import File

    from .documents import certificates_pdf_write

    PdfJob.objects.filter(pk=job.pk).update(status=PdfJob.Status.RUNNING, done=0, error="")

    def progress(done: int) -> None:
        PdfJob.objects.filter(pk=job.pk).update(done=done)

    order = {pk: i for i, pk in enumerate(job.certificate_ids)}

    def certificates():
        ids = job.certificate_ids
        for start in range(0, len(ids), 500):  # bounded memory for big jobs
            chunk = sorted(Certificate.objects.filter(pk__in=ids[start:start + 500]), key=lambda c: order[c.pk])
            yield from chunk

    try:
        with tempfile.TemporaryFile() as tmp:
            pages = certificates_pdf_write(certificates(), tmp, progress=progress)
            tmp.seek(0)
            # A run killed after saving left a file of this name: replace it rather than add "<pk>_x7Yz.pdf".
            name = job.file.field.generate_filename(job, f"{job.pk}.pdf")
            if job.file.storage.exists(name):
                job.file.storage.delete(name)
            job.file.save(f"{job.pk}.pdf", File(tmp), save=False)
        PdfJob.objects.filter(pk=job.pk).update(
            file=job.file.name, status=PdfJob.Status.DONE, done=pages, finished_at=timezone.now())
    except Exception as exc:
        PdfJob.objects.filter(pk=job.pk).update(status=PdfJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}",
                                                finished_at=timezone.now())
        raise
