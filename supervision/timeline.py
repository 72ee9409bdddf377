"""The supervision file (监管档案) of an institution: one timeline, newest first, of everything the offices know
about it — filings, applications and changes, batches, SUP-07 refusals, inspections, complaints, cases and their
decisions, announcements — plus its clean-record periods (INC-01).

Built from a fixed number of queries (one per source and one for the audit events of all its records), so the
page costs the same for an institution with ten events or ten thousand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from assessments.models import AssessmentBatch
from filing_portal.audit.models import AuditEvent
from institutions.models import Announcement, Filing, FilingApplication, Institution

from .models import Case, Complaint, Inspection, Tier, ValidityPeriod

KINDS = ("filing", "application", "batch", "refusal", "inspection", "complaint", "case", "decision",
         "announcement")

FILING_ACTIONS = {  # action → (title, rule)
    "issue": (gettext_noop("Filed: filing number %(n)s issued"), "FIL-08"),
    "scope_change": (gettext_noop("Filing %(n)s: scope changed"), "CHG-06"),
    "suspend": (gettext_noop("Filing %(n)s suspended"), "SUP-04"),
    "reinstate": (gettext_noop("Filing %(n)s reinstated"), "SUP-04"),
    "renew": (gettext_noop("Filing %(n)s renewed"), "REN-08"),
    "expire": (gettext_noop("Filing %(n)s expired"), "REN-02"),
    "lapse": (gettext_noop("Filing %(n)s lapsed"), "REN-03"),
    "revoke": (gettext_noop("Filing %(n)s revoked"), "SUP-05"),
    "terminate": (gettext_noop("Filing %(n)s terminated"), "TERM-01"),
}
APPLICATION_ACTIONS = {
    "submit": (gettext_noop("%(kind)s submitted"), "FIL-01"),
    "complete_notice": (gettext_noop("%(kind)s approved"), "FIL-08"),
    "approve_change": (gettext_noop("%(kind)s approved"), "CHG-02"),
    "reject": (gettext_noop("%(kind)s not approved"), "FIL-06"),
    "withdraw": (gettext_noop("%(kind)s withdrawn"), ""),
    "expire": (gettext_noop("%(kind)s terminated: supplement not received in time"), "FIL-04"),
}
TIER_RULES = {Tier.TIER1: "SUP-03", Tier.TIER2: "SUP-04", Tier.TIER3: "SUP-05", Tier.NONE: "SUP-06"}
ANNOUNCEMENT_RULES = {"filed": "FIL-08", "info_change": "CHG-02", "scope_change": "CHG-01", "termination": "PUB-02",
                      "revocation": "PUB-02", "suspension": "PUB-02", "stop_order": "TERM-05", "lapsed": "REN-03",
                      "renewed": "REN-08"}


@dataclass
class Entry:
    date: dt.date
    kind: str
    title: str
    link: str = ""
    rule: str = ""
    detail: str = ""
    at: dt.datetime | None = field(default=None, repr=False)  # orders entries of the same day

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


KIND_LABELS = {"filing": gettext_lazy("Filing"), "application": gettext_lazy("Application"),
               "batch": gettext_lazy("Batch"), "refusal": gettext_lazy("Refused assessment"),
               "inspection": gettext_lazy("Inspection"), "complaint": gettext_lazy("Complaint"),
               "case": gettext_lazy("Case"), "decision": gettext_lazy("Decision"),
               "announcement": gettext_lazy("Announcement")}


@dataclass
class SupervisionFile:
    institution: Institution
    entries: list[Entry]
    periods: list[ValidityPeriod]
    filings: list[Filing]


def url_or_empty(name: str, *args) -> str:
    """Links to pages another module may not have yet resolve to nothing rather than fail."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


_url = url_or_empty


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def institution_file(institution: Institution, *, for_staff: bool = True) -> SupervisionFile:
    """The file of `institution`; `for_staff=False` is the institution's own view (no complainants' details,
    no internal proposals, links to its own pages)."""
    filings = list(Filing.objects.filter(institution=institution).order_by("valid_from", "pk"))
    applications = list(FilingApplication.objects.filter(institution=institution).only(
        "pk", "kind", "state", "institution_id", "created_at"))
    batches = list(AssessmentBatch.objects.filter(institution=institution).only(
        "pk", "plan_number", "state", "institution_id", "exam_start"))
    inspections = list(Inspection.objects.filter(institution=institution).select_related("batch"))
    complaints = list(Complaint.objects.filter(institution=institution).only(
        "pk", "ack_number", "status", "institution_id", "received_on", "response_due", "answered_on", "outcome",
        "overdue_flagged_on", "case_id"))
    cases = list(Case.objects.filter(institution=institution))
    filing_ids = [f.pk for f in filings]
    announcements = list(Announcement.objects.filter(Q(institution=institution) | Q(filing_id__in=filing_ids)))
    periods = list(ValidityPeriod.objects.filter(filing__institution=institution).select_related("filing")
                   .order_by("starts_on", "index"))

    def ids(rows):
        return [str(r.pk) for r in rows]

    events = list(AuditEvent.objects.filter(
        Q(object_type="institutions.filing", object_id__in=ids(filings))
        | Q(object_type="institutions.filingapplication", object_id__in=ids(applications))
        | Q(object_type="assessments.assessmentbatch", object_id__in=ids(batches))
    ).only("occurred_at", "action", "object_type", "object_id", "from_state", "to_state", "comment", "data")
        .order_by("id"))

    by_filing = {str(f.pk): f for f in filings}
    by_application = {str(a.pk): a for a in applications}
    by_batch = {str(b.pk): b for b in batches}
    entries: list[Entry] = []
    for event in events:
        entry = _event_entry(event, by_filing, by_application, by_batch, for_staff)
        if entry is not None:
            entries.append(entry)
    entries += _inspection_entries(inspections, for_staff)
    entries += _complaint_entries(complaints, for_staff)
    entries += _case_entries(cases, for_staff)
    for a in announcements:
        entries.append(Entry(a.published_on, "announcement", a.title, _url("institutions:announcements"),
                             ANNOUNCEMENT_RULES.get(a.kind, "PUB-02"), a.get_kind_display()))
    entries.sort(key=lambda e: (e.date, e.at or dt.datetime.min.replace(tzinfo=dt.UTC)), reverse=True)
    return SupervisionFile(institution, entries, periods, filings)


def _event_entry(event, by_filing, by_application, by_batch, for_staff) -> Entry | None:
    data = event.data or {}
    name = event.action.split(".", 1)[-1]
    day, at = _day(event.occurred_at), event.occurred_at
    if data.get("rule") == "SUP-07":  # assessments refused for the filing's standing or scope (SUP-07)
        subject = by_batch.get(event.object_id) or by_filing.get(event.object_id)
        return Entry(day, "refusal", _("Assessment refused: %(reason)s") % {"reason": event.comment or name},
                     "", "SUP-07", f"{subject} · {data.get('refused_rule', '')}".strip(" ·"), at)
    if event.object_type == "institutions.filing":
        filing = by_filing[event.object_id]
        if name not in FILING_ACTIONS:
            return None
        title, rule = FILING_ACTIONS[name]
        if name == "terminate" and data.get("kind") == "forced":
            rule = "TERM-02"
        link = _url("institutions:staff_filing", filing.pk) if for_staff else \
            _url("institutions:directory_detail", filing.number)
        return Entry(day, "filing", _(title) % {"n": filing.number}, link, rule, event.comment, at)
    if event.object_type == "institutions.filingapplication":
        application = by_application[event.object_id]
        if name not in APPLICATION_ACTIONS:
            return None
        title, rule = APPLICATION_ACTIONS[name]
        if application.kind == FilingApplication.Kind.SCOPE_CHANGE and name == "complete_notice":
            rule = "CHG-01"
        link = _url("institutions:staff_application", application.pk) if for_staff else \
            _url("institutions:application_detail", application.pk)
        return Entry(day, "application", _(title) % {"kind": application.get_kind_display()}, link, rule,
                     event.comment if name in ("reject", "expire") else "", at)
    if event.object_type == "assessments.assessmentbatch":
        batch = by_batch[event.object_id]
        if name == "create":
            title = _("Batch plan %(plan)s created") % {"plan": batch.plan_number}
        elif event.to_state and event.to_state != event.from_state:
            label = AssessmentBatch.State(event.to_state).label if event.to_state in AssessmentBatch.State.values \
                else event.to_state
            title = _("Batch %(plan)s: %(state)s") % {"plan": batch.plan_number, "state": label}
        else:
            return None
        link = _url("assessments:staff_batch", batch.pk) if for_staff else _url("assessments:batch_detail", batch.pk)
        return Entry(day, "batch", title, link, "ASM-01" if name in ("create", "submit") else "", "", at)
    return None


def _inspection_entries(inspections, for_staff) -> list[Entry]:
    rows = []
    for i in inspections:
        day = i.inspected_on or i.planned_on or _day(i.created_at)
        if i.outcome == Inspection.Outcome.PENDING:
            title = _("Inspection %(ref)s planned (%(kind)s)") % {"ref": i.reference, "kind": i.get_kind_display()}
        else:
            title = _("Inspection %(ref)s: %(outcome)s") % {"ref": i.reference, "outcome": i.get_outcome_display()}
        rule = "ASM-04" if i.kind == Inspection.Kind.EXAM else "SUP-01"
        detail = i.batch.plan_number if i.batch_id else ""
        rows.append(Entry(day, "inspection", title, _url("supervision:inspection_detail", i.pk) if for_staff else "",
                          rule, detail, i.created_at))
    return rows


def _complaint_entries(complaints, for_staff) -> list[Entry]:
    rows = []
    for c in complaints:
        due = _("response due %(d)s") % {"d": c.response_due.isoformat()}
        if not for_staff:
            # the institution does not learn the acknowledgement number (it lets its holder follow the complaint)
            rows.append(Entry(c.received_on, "complaint", _("Complaint received"), "", "SUP-02", due))
            if c.answered_on:
                rows.append(Entry(c.answered_on, "complaint", _("Complaint answered: %(outcome)s")
                                  % {"outcome": c.get_outcome_display()}, "", "SUP-02"))
            continue
        link = _url("supervision:complaint_detail", c.pk)
        rows.append(Entry(c.received_on, "complaint", _("Complaint %(ref)s received") % {"ref": c.ack_number},
                          link, "SUP-02", due))
        if c.answered_on:
            rows.append(Entry(c.answered_on, "complaint", _("Complaint %(ref)s answered: %(outcome)s")
                              % {"ref": c.ack_number, "outcome": c.get_outcome_display()}, link, "SUP-02"))
        elif c.overdue_flagged_on:
            rows.append(Entry(c.overdue_flagged_on, "complaint", _("Complaint %(ref)s: response overdue")
                              % {"ref": c.ack_number}, link, "SUP-02"))
    return rows


def _case_entries(cases, for_staff) -> list[Entry]:
    rows = []
    for case in cases:
        if not for_staff and case.state in (Case.State.PROPOSED, Case.State.DISMISSED):
            continue  # the office's own candidates and dismissed proposals are not the institution's record
        link = _url("supervision:case_detail", case.pk) if for_staff else _url("supervision:my_case_detail", case.pk)
        rows.append(Entry(case.opened_on, "case", _("Case %(ref)s opened (%(origin)s)")
                          % {"ref": case.reference, "origin": case.get_origin_display()}, link, "SUP-06",
                          case.summary[:200] if for_staff else "", case.created_at))
        if case.decided_on and case.tier:
            tier = Tier(case.tier).label if case.tier in Tier.values else case.tier
            rows.append(Entry(case.decided_on, "decision", _("Case %(ref)s decided: %(tier)s")
                              % {"ref": case.reference, "tier": tier}, link, TIER_RULES.get(case.tier, "SUP-06"),
                              " · ".join(x for x in (case.article, case.decision[:200]) if x)))
        if case.rectification_due and case.tier == Tier.TIER2:
            rows.append(Entry(case.decided_on or case.opened_on, "decision",
                              _("Rectification due %(d)s (notice %(n)s)")
                              % {"d": case.rectification_due.isoformat(), "n": case.notice_number or "—"},
                              link, "SUP-04", ""))
        if case.verified_on:
            rows.append(Entry(case.verified_on, "decision", _("Case %(ref)s: rectification verified")
                              % {"ref": case.reference}, link, "SUP-04", ""))
        if case.state == Case.State.ESCALATED and case.closed_on:
            rows.append(Entry(case.closed_on, "decision", _("Case %(ref)s escalated to tier 3")
                              % {"ref": case.reference}, link, "SUP-05", ""))
        if case.state == Case.State.DISMISSED and case.closed_on:
            rows.append(Entry(case.closed_on, "decision", _("Case %(ref)s dismissed") % {"ref": case.reference},
                              link, "SUP-06", case.dismissed_reason[:200]))
    return rows
