"""督导检查: inspections, their checklist findings and attachments (SUP-01, ASM-04; FJ23 Art.8–14, 20, 23(11)).

An inspection comes from a draw (`draws.draw_run`), is an on-site check of an exam (ASM-04: external
supervision of a scheduled or conducted batch) or a special inspection. The team or the office records
what was found item by item (the checklist follows FJ23 Art.8–14 and the exam video of Art.21(9)) and the
outcome. Three failed external inspections of one institution in a calendar year propose a tier-3 case
(FJ23 Art.23(11), SUP-05).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from filing_portal.audit.services import audit_record
from filing_portal.core import clock
from filing_portal.core.errors import DomainError, PermissionDeniedError

from .cases import case_open
from .models import (
    OFFICE_ROLES,
    Case,
    Draw,
    Inspection,
    InspectionAttachment,
    InspectionFinding,
    InspectorProfile,
    Tier,
    region_in_jurisdiction,
)
from .references import next_reference

EXAM_BATCH_STATES = ("scheduled", "conducted")  # ASM-04: the exam is coming or has just been held
FAILS_FOR_TIER3 = 3  # FJ23 Art.23(11)
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = (  # magic bytes → (kind, accepted extensions)
    (b"%PDF-", InspectionAttachment.Kind.DOCUMENT, {".pdf"}),
    (b"\xff\xd8\xff", InspectionAttachment.Kind.PHOTO, {".jpg", ".jpeg"}),
    (b"\x89PNG\r\n\x1a\n", InspectionAttachment.Kind.PHOTO, {".png"}),
)


class AttachmentError(DomainError):
    """A file that is not what an inspection keeps (400: the input is wrong, not the state)."""

    status = 400


def inspection_may_record(inspection: Inspection, user) -> bool:
    """Office staff in jurisdiction, or an inspector on the inspection's team."""
    role = getattr(user, "role", None)
    if role in OFFICE_ROLES:
        return region_in_jurisdiction(inspection.region, user)
    if role == "inspector":
        return inspection.team.filter(user_id=user.pk).exists()
    return False


def _require_recorder(inspection: Inspection, user) -> None:
    if not inspection_may_record(inspection, user):
        raise PermissionDeniedError(_("Only the office or an inspector of the team records this inspection."),
                                    rule="JUR-03")


def inspections_visible_to(user):
    """Inspections in the user's jurisdiction; an inspector sees the inspections of their teams."""
    qs = Inspection.objects.select_related("draw", "filing", "institution", "batch", "region")
    role = getattr(user, "role", None)
    if role == "admin":
        return qs
    if role == "province_staff" and user.region_id:
        return qs.filter(Q(region_id=user.region_id) | Q(region__province_id=user.region_id))
    if role == "city_staff" and user.region_id:
        return qs.filter(region_id=user.region_id)
    if role == "inspector":
        return qs.filter(team__user_id=user.pk).distinct()
    return qs.none()


@transaction.atomic(durable=True)
def inspection_create(*, kind: str, acting_user, filing=None, batch=None, planned_on: dt.date | None = None,
                      team: Iterable[InspectorProfile] = (), external: bool = True) -> Inspection:
    """An exam supervision (ASM-04: of a scheduled or conducted batch) or a special inspection of a filing."""
    if kind == Inspection.Kind.EXAM:
        if batch is None:
            raise DomainError(_("Name the batch whose exam is supervised."), rule="ASM-04",
                              code="batch_required")
        if batch.state not in EXAM_BATCH_STATES:
            raise DomainError(_("Batch %(plan)s is %(state)s: only a scheduled or conducted exam is "
                                "supervised on site.")
                              % {"plan": batch.plan_number, "state": batch.get_state_display()},
                              rule="ASM-04", code="batch_state")
        filing, region = batch.filing, batch.handling_region
    elif kind == Inspection.Kind.SPECIAL:
        if filing is None:
            raise DomainError(_("Name the filing to inspect."), rule="SUP-01", code="filing_required")
        region = filing.handling_region
        batch = None
    else:
        raise DomainError(_("Random inspections come from a draw."), rule="SUP-01", code="kind")
    if getattr(acting_user, "role", None) not in OFFICE_ROLES:
        raise PermissionDeniedError(_("Only the office plans inspections."), rule="JUR-03")
    if not region_in_jurisdiction(region, acting_user):
        raise PermissionDeniedError(_("The institution is outside your jurisdiction."), rule="JUR-03")
    team = list(team)
    conflicted = sorted(p.code for p in team if p.employer_id == filing.institution_id)
    inactive = sorted(p.code for p in team if not p.active)
    if conflicted or inactive:
        raise DomainError(_("Inspectors who cannot serve on this team (conflict of interest or not in the "
                            "pool): %(codes)s.") % {"codes": ", ".join(conflicted + inactive)}, rule="SUP-01",
                          code="team_conflict")
    inspection = Inspection.objects.create(
        reference=next_reference(Inspection, "JC"), kind=kind, filing=filing,
        institution_id=filing.institution_id, batch=batch, region=region,
        planned_on=planned_on or (batch.exam_start if batch else None), external=external)
    inspection.team.set(team)
    audit_record(actor=acting_user, action="inspection.create", obj=inspection,
                 data={"kind": kind, "filing": filing.number, "batch": batch.plan_number if batch else "",
                       "team": sorted(p.code for p in team)})
    return inspection


def _clean_findings(findings: dict) -> dict[str, tuple[bool, str]]:
    if not findings:
        raise DomainError(_("Record at least one checklist item."), rule="SUP-01", code="findings_required")
    unknown = sorted(set(findings) - set(InspectionFinding.Item.values))
    if unknown:
        raise DomainError(_("Unknown checklist items: %(items)s.") % {"items": ", ".join(unknown)},
                          rule="SUP-01", code="unknown_item")
    return {item: (bool(compliant), (note or "").strip()) for item, (compliant, note) in findings.items()}


@transaction.atomic(durable=True)
def inspection_record(*, inspection: Inspection, acting_user, inspected_on: dt.date,
                      findings: dict[str, tuple[bool, str]], outcome: str, summary: str = "") -> Inspection:
    """Record the findings and the outcome (pass / fail) of an inspection.

    Allowed until the draw's results are published; a second record corrects the first. A fail needs at
    least one item found not compliant or a summary. FJ23 Art.23(11): the third failed external inspection
    of the institution in a calendar year proposes a tier-3 case (once per institution and year).
    """
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _require_recorder(inspection, acting_user)
    if inspection.draw_id and Draw.objects.filter(pk=inspection.draw_id,
                                                  state=Draw.State.RESULTS_PUBLISHED).exists():
        raise DomainError(_("The draw's results are published; the inspection can no longer be changed."),
                          rule="SUP-01", code="published")
    if outcome not in (Inspection.Outcome.PASS, Inspection.Outcome.FAIL):
        raise DomainError(_("The outcome is pass or fail."), rule="SUP-01", code="outcome")
    if inspected_on is None or inspected_on > clock.today():
        raise DomainError(_("Give the day of the inspection (not in the future)."), rule="SUP-01",
                          code="inspected_on")
    cleaned = _clean_findings(findings)
    summary = (summary or "").strip()
    if outcome == Inspection.Outcome.FAIL and not summary and all(ok for ok, _note in cleaned.values()):
        raise DomainError(_("A fail names at least one item not compliant or says why in the summary."),
                          rule="SUP-01", code="fail_unexplained")
    previous = inspection.outcome
    for item, (compliant, note) in cleaned.items():
        InspectionFinding.objects.update_or_create(inspection=inspection, item=item,
                                                   defaults={"compliant": compliant, "note": note})
    inspection.inspected_on, inspection.outcome, inspection.summary = inspected_on, outcome, summary
    inspection.recorded_by, inspection.recorded_at = acting_user, timezone.now()
    inspection.save(update_fields=["inspected_on", "outcome", "summary", "recorded_by", "recorded_at"])
    audit_record(actor=acting_user, action="inspection.record", obj=inspection, from_state=previous,
                 to_state=outcome, comment=summary[:200],
                 data={"inspected_on": inspected_on,
                       "not_compliant": sorted(i for i, (ok, _n) in cleaned.items() if not ok)})
    if outcome == Inspection.Outcome.FAIL and inspection.external:
        _propose_tier3_after_fails(inspection)
    return inspection


def _propose_tier3_after_fails(inspection: Inspection) -> Case | None:
    """FJ23 Art.23(11) / SUP-05: three or more failed external inspections in one calendar year."""
    year = inspection.inspected_on.year
    fails = Inspection.objects.filter(institution_id=inspection.institution_id, external=True,
                                      outcome=Inspection.Outcome.FAIL, inspected_on__year=year).count()
    if fails < FAILS_FOR_TIER3:
        return None
    institution = inspection.institution
    filing = inspection.filing
    return case_open(
        institution=institution, region=filing.handling_region, filing=filing, origin=Case.Origin.INSPECTION,
        summary=_("%(name)s failed %(n)d external inspections in %(year)d (the latest: %(ref)s); "
                  "FJ23 Art.23(11) provides for revocation.")
        % {"name": institution.name, "n": fails, "year": year, "ref": inspection.reference},
        acting_user=None, proposed=True, proposed_tier=Tier.TIER3,
        detection=Case.Detection.FAILED_SUPERVISIONS,
        detection_key=f"failed_supervisions:{institution.pk}:{year}", inspection=inspection)


def _attachment_kind(data: bytes, filename: str) -> str:
    """The kind the bytes really are (PDF, JPEG or PNG; images must decode), never trusting the name alone."""
    extension = PurePath(filename or "").suffix.lower()
    for magic, kind, extensions in SIGNATURES:
        if data.startswith(magic):
            if extension not in extensions:
                raise AttachmentError(_("%(name)s is named %(ext)s but its content is of another type.")
                                  % {"name": filename, "ext": extension or "—"}, rule="REC-02",
                                  code="bad_attachment")
            if kind == InspectionAttachment.Kind.PHOTO:
                _image_check(data, filename)
            return kind
    raise AttachmentError(_("%(name)s is not a PDF, JPEG or PNG file (checked by its content).")
                          % {"name": filename}, rule="REC-02", code="bad_attachment")


def _image_check(data: bytes, filename: str) -> None:
    # the same content check as certificates/photos.py (Pillow reads the whole image), without its 2 MB limit
    from PIL import Image, UnidentifiedImageError

    from certificates.photos import PHOTO_FORMATS

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
    if kind not in PHOTO_FORMATS:
        raise AttachmentError(_("%(name)s is not a readable JPEG or PNG image.") % {"name": filename},
                              rule="REC-02", code="bad_attachment")


@transaction.atomic(durable=True)
def inspection_attachment_add(*, inspection: Inspection, upload, acting_user) -> InspectionAttachment:
    """Store a photo (JPEG/PNG) or a PDF document of the inspection, ≤ 10 MB; kept, never deleted (REC-02)."""
    _require_recorder(inspection, acting_user)
    name = PurePath(getattr(upload, "name", "") or "").name[:200]
    size = getattr(upload, "size", None)
    if size is not None and size > ATTACHMENT_MAX_BYTES:
        raise AttachmentError(_("%(name)s is larger than 10 MB.") % {"name": name}, rule="REC-02",
                              code="too_large")
    data = upload.read(ATTACHMENT_MAX_BYTES + 1)
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise AttachmentError(_("%(name)s is larger than 10 MB.") % {"name": name}, rule="REC-02",
                              code="too_large")
    if not data:
        raise AttachmentError(_("%(name)s is empty.") % {"name": name}, rule="REC-02", code="empty")
    kind = _attachment_kind(data, name)
    attachment = InspectionAttachment(inspection=inspection, kind=kind, original_name=name,
                                      uploaded_by=acting_user)
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    audit_record(actor=acting_user, action="inspection.attach", obj=inspection,
                 data={"kind": kind, "file": name, "size": len(data)})
    return attachment
