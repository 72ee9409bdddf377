"""Complaints from the public (投诉举报, SUP-02): received, handled, answered within the profile's time, and a
case opened from them when they show a violation.

The handling office is the office holding the institution's filing, else the institution's region, else the
region the complainant chose. The response is due `profile.complaint_response_wd` working days after receipt;
the daily sweep flags an open complaint past its due date once. Contact data are personal data: only staff of
the handling office see them (`complaint_contact_visible`), and they never go into the audit trail.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Sequence
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

from filing_portal.audit.services import audit_record
from filing_portal.core import clock
from filing_portal.core.errors import DomainError, PermissionDeniedError
from filing_portal.regions.jurisdiction import profile_for
from filing_portal.regions.selectors import regions_visible_to
from filing_portal.workdays.calendar import due_date
from institutions.models import Filing, Institution

from .cases import case_open
from .models import OFFICE_ROLES, Complaint, ComplaintAttachment, region_in_jurisdiction

MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# magic bytes → (content type, accepted extensions): the type is read from the content, not the name
SIGNATURES = (
    (b"%PDF-", "application/pdf", {".pdf"}),
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
)
# standing of a filing that makes its office the handling office (the newest such filing counts)
HOLDING_STATES = (Filing.State.ACTIVE, Filing.State.SUSPENDED, Filing.State.EXPIRED)
OPEN_STATUSES = (Complaint.Status.RECEIVED, Complaint.Status.HANDLING)


class ComplaintInputError(DomainError):
    """Input the complaint cannot be filed with (400 on the API, a field error on the page)."""

    status = 400

    def __init__(self, message: str, *, field: str = "", code: str = "invalid"):
        super().__init__(message, rule="SUP-02", code=code)
        self.field = field


# -- reads ------------------------------------------------------------------------------------------------
def filed_institutions() -> QuerySet[Institution]:
    """Institutions the public may choose on the form: those holding a filing (any standing but ended)."""
    return (Institution.objects.filter(filings__state__in=HOLDING_STATES).distinct().order_by("name"))


def holding_filing(institution: Institution | None) -> Filing | None:
    """The institution's current filing: an active one first, else the newest suspended or expired one."""
    if institution is None:
        return None
    filings = list(Filing.objects.filter(institution=institution, state__in=HOLDING_STATES)
                   .select_related("handling_region").order_by("-valid_from", "-pk"))
    active = [f for f in filings if f.state == Filing.State.ACTIVE]
    return (active or filings or [None])[0]


def complaint_handling_region(*, institution: Institution | None, region=None):
    """SUP-02: the office holding the institution's filing, else the institution's region, else `region`."""
    filing = holding_filing(institution)
    if filing is not None:
        return filing.handling_region
    if institution is not None:
        return institution.region
    return region


def complaints_visible_to(user) -> QuerySet[Complaint]:
    """Complaints handled inside the user's jurisdiction (JUR-03); nothing for other roles."""
    if not getattr(user, "is_authenticated", False) or user.role not in OFFICE_ROLES:
        return Complaint.objects.none()
    return (Complaint.objects.filter(region__in=regions_visible_to(user))
            .select_related("institution", "batch", "region", "handler", "case"))


def complaints_in_queue_order(user, status: str | None = None) -> QuerySet[Complaint]:
    """The office's queue (SUP-02): open complaints before answered ones, then by response due date, then pk.

    The whole order is in the database, so a pager's LIMIT/OFFSET pages over it and page 2 continues page 1.
    """
    qs = complaints_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    answered = Case(When(status=Complaint.Status.ANSWERED, then=Value(1)), default=Value(0),
                    output_field=IntegerField())
    return qs.annotate(answered=answered).order_by("answered", "response_due", "pk")


def complaint_contact_visible(complaint: Complaint, user) -> bool:
    """Personal data of the complainant: only staff of the handling office itself see them (not other offices,
    not the province above a city office, not the public)."""
    return (getattr(user, "is_authenticated", False) and user.role in ("city_staff", "province_staff")
            and user.region_id == complaint.region_id)


def complaint_is_overdue(complaint: Complaint, today: dt.date | None = None) -> bool:
    return complaint.status in OPEN_STATUSES and complaint.response_due < (today or clock.today())


def complaint_available_transitions(complaint: Complaint, user) -> list[str]:
    """Complaint is no FSM model: what the caller may do now, from the status and the caller's role."""
    if not getattr(user, "is_authenticated", False) or user.role not in OFFICE_ROLES \
            or not region_in_jurisdiction(complaint.region, user):
        return []
    names = {Complaint.Status.RECEIVED: ["start"], Complaint.Status.HANDLING: ["answer"]}.get(complaint.status, [])
    if complaint.case_id is None and complaint.institution_id is not None:
        names = [*names, "open_case"]
    return names


# -- writes -----------------------------------------------------------------------------------------------
def complaint_ack_number(today: dt.date | None = None) -> str:
    """TS + date + 8 random base32 characters (40 bits from `secrets`): unguessable, so the number alone lets
    its holder follow the complaint."""
    token = base64.b32encode(secrets.token_bytes(5)).decode()
    return f"TS{(today or clock.today()):%Y%m%d}{token}"


def _attachment_checked(upload) -> tuple[bytes, str]:
    name = PurePath(getattr(upload, "name", "") or "").name[:200] or "upload"
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_ATTACHMENT_BYTES:
        raise ComplaintInputError(_("%(name)s is larger than 5 MB.") % {"name": name}, field="attachments",
                                  code="attachment_too_large")
    data = upload.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ComplaintInputError(_("%(name)s is larger than 5 MB.") % {"name": name}, field="attachments",
                                  code="attachment_too_large")
    for magic, _type, extensions in SIGNATURES:
        if data.startswith(magic):
            suffix = PurePath(name).suffix.lower()
            return data, name if suffix in extensions else f"{PurePath(name).stem}{sorted(extensions)[0]}"
    raise ComplaintInputError(_("%(name)s is not a PDF, JPEG or PNG file (checked by its content).")
                              % {"name": name}, field="attachments", code="attachment_type")


def complaint_validate(*, facts: str, institution=None, institution_name: str = "", batch=None, region=None,
                       anonymous: bool = False, contact_phone: str = "", contact_email: str = "",
                       attachments: Sequence = ()) -> None:
    """The rules of the form, shared by the page and the API (raises ComplaintInputError naming the field)."""
    if not (facts or "").strip():
        raise ComplaintInputError(_("Say what happened."), field="facts", code="facts_required")
    if institution is None and not (institution_name or "").strip():
        raise ComplaintInputError(_("Choose the institution or write its name."), field="institution",
                                  code="institution_required")
    if institution is None and region is None:
        raise ComplaintInputError(_("Choose the region where the institution works, so the right office answers."),
                                  field="region", code="region_required")
    if batch is not None and institution is not None and batch.institution_id != institution.pk:
        raise ComplaintInputError(_("Batch %(plan)s is not a batch of %(name)s.")
                                  % {"plan": batch.plan_number, "name": institution.name}, field="plan_number",
                                  code="batch_mismatch")
    if not anonymous and not ((contact_phone or "").strip() or (contact_email or "").strip()):
        raise ComplaintInputError(_("Give a phone number or an e-mail address so the office can answer you, "
                                    "or complain anonymously."), field="contact_phone", code="contact_required")
    if len(attachments) > MAX_ATTACHMENTS:
        raise ComplaintInputError(_("Attach at most %(n)s files.") % {"n": MAX_ATTACHMENTS}, field="attachments",
                                  code="too_many_attachments")


@transaction.atomic
def complaint_submit(*, facts: str, institution: Institution | None = None, institution_name: str = "",
                     batch=None, region=None, anonymous: bool = False, contact_name: str = "",
                     contact_phone: str = "", contact_email: str = "", attachments: Sequence = (),
                     acting_user=None, ip: str | None = None) -> Complaint:
    """SUP-02: record a complaint with its acknowledgement number, handling office and response due date."""
    if batch is not None and institution is None:
        institution = batch.institution
    complaint_validate(facts=facts, institution=institution, institution_name=institution_name, batch=batch,
                       region=region, anonymous=anonymous, contact_phone=contact_phone,
                       contact_email=contact_email, attachments=attachments)
    files = [_attachment_checked(upload) for upload in attachments]
    office = complaint_handling_region(institution=institution, region=region)
    today = clock.today()
    due = due_date(today, profile_for(office).complaint_response_wd)
    if anonymous:
        contact_name = contact_phone = contact_email = ""
    fields = dict(institution=institution, institution_name=(institution_name or "").strip()[:200], batch=batch,
                  region=office, facts=facts.strip(), anonymous=anonymous, contact_name=contact_name.strip()[:60],
                  contact_phone=contact_phone.strip()[:20], contact_email=contact_email.strip(),
                  received_on=today, response_due=due.date)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                complaint = Complaint.objects.create(ack_number=complaint_ack_number(today), **fields)
            break
        except IntegrityError:  # 40 random bits make a clash all but impossible; draw again if it happens
            continue
    else:
        raise DomainError(_("Could not number the complaint; try again."), rule="SUP-02", code="busy")
    for data, name in files:
        ComplaintAttachment.objects.create(complaint=complaint, file=ContentFile(data, name=name), original_name=name)
    # no contact data in the audit trail: it is kept for every office to read
    audit_record(actor=acting_user, action="complaint.submit", obj=complaint, to_state=complaint.status, ip=ip,
                 data={"institution": institution.pk if institution else None, "region": office.code,
                       "batch": batch.plan_number if batch else None, "anonymous": anonymous,
                       "attachments": len(files), "response_due": due.date, "provisional": due.provisional})
    return complaint


def _locked(complaint: Complaint, acting_user) -> Complaint:
    if acting_user is None or not getattr(acting_user, "is_authenticated", False) \
            or acting_user.role not in OFFICE_ROLES:
        raise PermissionDeniedError(_("Only staff of an appraisal centre handle complaints."), rule="SUP-02")
    if not region_in_jurisdiction(complaint.region, acting_user):
        raise PermissionDeniedError(_("The complaint is handled outside your jurisdiction."), rule="JUR-03")
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


@transaction.atomic
def complaint_start(*, complaint: Complaint, acting_user, ip: str | None = None) -> Complaint:
    """SUP-02: a member of staff takes the complaint on (recorded as its handler)."""
    complaint = _locked(complaint, acting_user)
    if complaint.status != Complaint.Status.RECEIVED:
        raise DomainError(_("Complaint %(ack)s is already %(status)s.")
                          % {"ack": complaint.ack_number, "status": complaint.get_status_display()},
                          rule="SUP-02", code="invalid_state")
    complaint.status = Complaint.Status.HANDLING
    complaint.handler = acting_user
    complaint.handling_started_on = clock.today()
    complaint.save(update_fields=["status", "handler", "handling_started_on"])
    audit_record(actor=acting_user, action="complaint.start", obj=complaint, from_state="received",
                 to_state=complaint.status, ip=ip)
    return complaint


def _send_response(complaint: Complaint) -> None:
    send_mail(
        subject=_("Your complaint %(ack)s has been answered") % {"ack": complaint.ack_number},
        message=_("Complaint %(ack)s, received %(received)s.\n\nOutcome: %(outcome)s\n\n%(response)s\n")
        % {"ack": complaint.ack_number, "received": complaint.received_on.isoformat(),
           "outcome": complaint.get_outcome_display(), "response": complaint.response},
        from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[complaint.contact_email], fail_silently=True)


@transaction.atomic
def complaint_answer(*, complaint: Complaint, outcome: str, response: str, acting_user,
                     ip: str | None = None) -> Complaint:
    """SUP-02: the outcome and the response go on the record; the response is e-mailed to the complainant's
    address, if one was given, once the answer is committed."""
    complaint = _locked(complaint, acting_user)
    if complaint.status != Complaint.Status.HANDLING:
        raise DomainError(_("Start handling complaint %(ack)s before answering it.") % {"ack": complaint.ack_number}
                          if complaint.status == Complaint.Status.RECEIVED else
                          _("Complaint %(ack)s is already answered.") % {"ack": complaint.ack_number},
                          rule="SUP-02", code="invalid_state")
    if outcome not in Complaint.Outcome.values:
        raise ComplaintInputError(_("Choose the outcome."), field="outcome", code="outcome_required")
    if not (response or "").strip():
        raise ComplaintInputError(_("Write the response to the complainant."), field="response",
                                  code="response_required")
    today = clock.today()
    complaint.status = Complaint.Status.ANSWERED
    complaint.outcome = outcome
    complaint.response = response.strip()
    complaint.answered_on = today
    complaint.save(update_fields=["status", "outcome", "response", "answered_on"])
    audit_record(actor=acting_user, action="complaint.answer", obj=complaint, from_state="handling",
                 to_state=complaint.status, ip=ip, comment=complaint.response[:200],
                 data={"outcome": outcome, "on_time": today <= complaint.response_due,
                       "emailed": bool(complaint.contact_email)})
    if complaint.contact_email:
        transaction.on_commit(lambda c=complaint: _send_response(c))
    return complaint


@transaction.atomic
def complaint_open_case(*, complaint: Complaint, acting_user, summary: str = "", ip: str | None = None):
    """SUP-02 → SUP-06: open a supervision case from the complaint (once) and link it."""
    complaint = _locked(complaint, acting_user)
    if complaint.case_id is not None:
        raise DomainError(_("Case %(ref)s was already opened from complaint %(ack)s.")
                          % {"ref": complaint.case.reference, "ack": complaint.ack_number},
                          rule="SUP-02", code="case_exists")
    if complaint.institution_id is None:
        raise DomainError(_("The complaint names no filed institution of the portal; a case needs one."),
                          rule="SUP-02", code="institution_required")
    institution = complaint.institution
    text = (summary or "").strip() or _("Complaint %(ack)s: %(facts)s") % {
        "ack": complaint.ack_number, "facts": complaint.facts[:1000]}
    case = case_open(institution=institution, region=complaint.region, origin="complaint", summary=text,
                     acting_user=acting_user, filing=holding_filing(institution))
    complaint.case = case
    complaint.save(update_fields=["case"])
    audit_record(actor=acting_user, action="complaint.open_case", obj=complaint, ip=ip,
                 data={"case": case.reference})
    return case


def complaints_flag_overdue(as_of: dt.date) -> int:
    """The sweep: an open complaint past its response due date is flagged overdue once (idempotent)."""
    changed = 0
    pending = Complaint.objects.filter(status__in=OPEN_STATUSES, response_due__lt=as_of,
                                       overdue_flagged_on__isnull=True).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            updated = Complaint.objects.filter(pk=pk, overdue_flagged_on__isnull=True).update(
                overdue_flagged_on=as_of)
            if updated:
                complaint = Complaint.objects.get(pk=pk)
                audit_record(actor=None, action="complaint.overdue", obj=complaint,
                             data={"rule": "SUP-02", "response_due": complaint.response_due})
                changed += 1
    return changed
