"""Every write of the certificates app: allocating numbers, retiring them, issuing and voiding certificates.

Numbers come from `NumberCounter` rows locked for the length of the caller's
transaction, so parallel issuers for the same scope queue up and get distinct,
contiguous serials; a unique constraint on every number is the backstop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from filing_portal.audit.services import audit_record
from filing_portal.core.errors import DomainError
from filing_portal.core.workflow import transition_run
from filing_portal.personal_data import validate_id_number

from .models import Certificate, FilingNumber, NumberCounter, PdfJob
from .numbers import (
    CERTIFICATE_SERIAL_MAX,
    FILING_SERIAL_MAX,
    build_certificate_number,
    build_filing_number,
    parse_filing_number,
)


def _reserve_serials(*, scope: str, count: int, limit: int, rule: str, what: str) -> int:
    """Reserve `count` consecutive serials in `scope`; returns the first. Must run inside a transaction."""
    if count < 1:
        raise ValueError("count must be positive")
    NumberCounter.objects.bulk_create([NumberCounter(scope=scope)], ignore_conflicts=True)
    counter = NumberCounter.objects.select_for_update().get(scope=scope)
    first = counter.last + 1
    last = counter.last + count
    if last > limit:
        raise DomainError(
            _("%(what)s are used up: %(left)d left, %(count)d asked for (the last serial is %(limit)d).")
            % {"what": what, "left": max(limit - counter.last, 0), "count": count, "limit": limit},
            rule=rule, code="numbers_exhausted",
        )
    counter.last = last
    counter.save(update_fields=["last"])
    return first


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
    serial = _reserve_serials(
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
    clean = _validate_holders(holders)
    year = issue_date.year % 100
    by_level: dict[int, list[HolderData]] = {}
    for holder in clean:
        by_level.setdefault(holder.level, []).append(holder)
    certificates = []
    for level in sorted(by_level):
        group = by_level[level]
        first = _reserve_serials(
            scope=f"C{record.number}{year:02d}{level}", count=len(group), limit=CERTIFICATE_SERIAL_MAX,
            rule="NUM-05", what=_("Certificate serials of this institution, year and level"),
        )
        for offset, holder in enumerate(group):
            serial = first + offset
            certificates.append(Certificate(
                number=build_certificate_number(record.number, year, level, serial),
                filing_number=record.number, province_code=record.province_code, city_code=record.city_code,
                issue_year=year, level=level, serial=serial,
                holder_name=holder.holder_name, id_type=holder.id_type, id_number=holder.id_number,
                employer=holder.employer, occupation_code=holder.occupation_code,
                occupation_name=holder.occupation_name, work_type=holder.work_type,
                issue_date=issue_date, institution_name=institution_name, photo=holder.photo or "",
                **(extra_fields or {}),
            ))
    created = Certificate.objects.bulk_create(certificates, batch_size=2000)
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


MAX_PDF_JOB = 20000


@transaction.atomic
def pdf_job_create(*, certificate_ids: Sequence[int], title: str, acting_user) -> PdfJob:
    """Queue one multi-page PDF of the given certificates; the worker starts once this commits."""
    from .tasks import build_pdf_job

    ids = list(dict.fromkeys(int(i) for i in certificate_ids))
    if not ids:
        raise DomainError(_("There is no certificate to print."), code="nothing_to_print")
    if len(ids) > MAX_PDF_JOB:
        raise DomainError(_("At most %(n)d certificates fit in one PDF; narrow the search.") % {"n": MAX_PDF_JOB},
                          code="too_many")
    job = PdfJob.objects.create(requested_by=acting_user, title=title[:200], certificate_ids=ids, total=len(ids))
    audit_record(actor=acting_user, action="certificates.pdf_requested", obj=job, data={"count": len(ids)})
    transaction.on_commit(lambda: build_pdf_job.delay(str(job.pk)))
    return job


def pdf_job_build(*, job_id: str) -> str:
    """Render the job's PDF into a temporary file, then attach it; progress is saved every 50 pages."""
    import tempfile

    from django.core.files import File

    from .documents import certificates_pdf_write

    job = PdfJob.objects.get(pk=job_id)
    if job.status == PdfJob.Status.DONE:
        return job.status
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
            job.file.save(f"{job.pk}.pdf", File(tmp), save=False)
        PdfJob.objects.filter(pk=job.pk).update(
            file=job.file.name, status=PdfJob.Status.DONE, done=pages, finished_at=timezone.now())
    except Exception as exc:
        PdfJob.objects.filter(pk=job.pk).update(status=PdfJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}",
                                                finished_at=timezone.now())
        raise
    return PdfJob.Status.DONE
