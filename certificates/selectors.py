"""Reads of the certificates app: staff scopes and the public verification lookups."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from filing_portal.core.prepared import PreparedLookup
from filing_portal.personal_data import IdType, lookup_kwargs, normalize_id_number

from .models import Certificate, FilingNumber
from .numbers import NumberFormatError, parse_certificate_number, parse_filing_number


def certificates_visible_to(user) -> QuerySet[Certificate]:
    """JUR-03: province staff see their province, city staff their city, institutions their own."""
    qs = Certificate.objects.all()
    role = getattr(user, "role", None)
    if role == "admin":
        return qs
    if role in ("province_staff", "city_staff") and user.region_id:
        qs = qs.filter(province_code=user.region.province_code)
        if role == "city_staff":
            qs = qs.filter(city_code=user.region.filing_city_code)
        return qs
    if role == "institution" and user.institution_id:
        numbers = FilingNumber.objects.filter(institution_id=user.institution_id).values("number")
        return qs.filter(filing_number__in=numbers)
    return qs.none()


def _same_name(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


# The public lookup's one read, compiled once per connection (filing_portal/core/prepared.py).
_BY_NUMBER = PreparedLookup(Certificate, "number")


def certificate_verify_by_number(*, number: str, name: str) -> Certificate | None:
    """CERT-05: the certificate with this number, only when the holder's name matches too.

    "No such number", "malformed" and "name does not match" all give None: the answer
    must not tell a prober which numbers exist.
    """
    try:
        number = parse_certificate_number(number).number
    except NumberFormatError:
        return None
    cert = _BY_NUMBER.get(number)
    if cert is None or not _same_name(cert.holder_name, name or ""):
        return None
    return cert


def certificates_verify_by_identity(*, name: str, id_type: str, id_number: str) -> list[Certificate]:
    """CERT-05: every certificate of the person with this name and ID (as the national lookup allows)."""
    if id_type not in IdType.values or not normalize_id_number(id_number) or not (name or "").strip():
        return []
    return list(
        Certificate.objects.filter(holder_name="".join(name.split()), id_type=id_type, **lookup_kwargs(id_number))
        .order_by("-issue_date", "number")[:50]
    )


def certificate_by_number(number: str) -> Certificate | None:
    """Exact number lookup for the QR landing page (its signature was checked by the caller)."""
    return Certificate.objects.filter(number=number).first()


def certificates_search(user, *, q: str = "", filing_number: str = "", institution: str = "", level=None,
                        status: str = "", issued_from=None, issued_to=None, batch: str = "",
                        batch_id: int | None = None) -> QuerySet[Certificate]:
    """Staff search (JUR-03 scoped): number or holder name, filing number, institution, batch (its plan
    number, or its id), level, status, dates."""
    qs = certificates_visible_to(user)
    if batch and batch.strip():
        # the batch's plan number through the string FK: certificates imports nothing of assessments
        qs = qs.filter(batch__plan_number=batch.strip().upper())
    if batch_id is not None:
        qs = qs.filter(batch_id=batch_id)
    q = (q or "").strip()
    if q:
        qs = qs.filter(number=q.upper()) if len(q) == 22 and q[0] in "YSys" else qs.filter(holder_name__startswith=q)
    if filing_number:
        qs = qs.filter(filing_number=filing_number.strip().upper())
    if institution:
        qs = qs.filter(institution_name__contains=institution.strip())
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    if issued_from:
        qs = qs.filter(issue_date__gte=issued_from)
    if issued_to:
        qs = qs.filter(issue_date__lte=issued_to)
    return qs.order_by("-issue_date", "number")


@dataclass(frozen=True)
class FilingNumberStatus:
    """What a lookup of a filing number answers (NUM-03/04): in use, or retired with reason, date, successor."""

    number: str
    status: str  # "active" | "retired"
    holder_name: str  # the institution's name when the number was allocated
    allocated_on: dt.date
    retired_reason: str = ""  # FilingNumber.RetiredReason value
    retired_reason_display: str = ""
    retired_on: dt.date | None = None
    successor: str = ""  # the number it was merged into / absorbed by (NUM-04)
    successor_holder_name: str = ""
    successor_status: str = ""

    @property
    def retired(self) -> bool:
        return self.status == "retired"

    def as_dict(self) -> dict:
        return {
            "number": self.number, "status": self.status, "holder_name": self.holder_name,
            "allocated_on": self.allocated_on.isoformat(), "retired_reason": self.retired_reason,
            "retired_reason_display": self.retired_reason_display,
            "retired_on": self.retired_on.isoformat() if self.retired_on else None,
            "successor": self.successor or None, "successor_holder_name": self.successor_holder_name,
            "successor_status": self.successor_status or None,
        }


def filing_number_lookup(number: str) -> FilingNumberStatus | None:
    """NUM-03/04: a filing number, current or retired, with its reason, date and successor; one query.

    None when the number was never allocated; a malformed number raises NumberFormatError (NUM-01).
    """
    parsed = parse_filing_number(number).number
    record = FilingNumber.objects.select_related("successor").filter(number=parsed).first()
    if record is None:
        return None
    successor = record.successor
    return FilingNumberStatus(
        number=record.number, status=record.status, holder_name=record.holder_name,
        allocated_on=timezone.localtime(record.allocated_at).date(), retired_reason=record.retired_reason,
        retired_reason_display=str(record.get_retired_reason_display()) if record.retired_reason else "",
        retired_on=record.retired_on,
        successor=successor.number if successor else "",
        successor_holder_name=successor.holder_name if successor else "",
        successor_status=successor.status if successor else "",
    )
