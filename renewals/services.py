"""The renewal application's use cases (DESIGN.md "Renewal application"; REN-01…09, CHG-06, INC-01/02).

draft --submit--> submitted --start_evaluation--> under_evaluation --approve--> approved | --reject--> rejected
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from filing_portal.audit.services import audit_record
from filing_portal.core import clock
from filing_portal.core.errors import DomainError, PermissionDeniedError
from filing_portal.core.workflow import transition_run
from filing_portal.regions.jurisdiction import profile_for
from filing_portal.workdays.calendar import due_date
from institutions.filing_models import filing_in_jurisdiction
from institutions.models import Announcement, Filing
from institutions.services.filings import filing_renew
from supervision.incentives import validity_period_close
from supervision.references import next_reference

from .eligibility import (
    MAX_PLANS,
    blocking_checks,
    period_start,
    plan_row,
    renewal_eligibility,
    reported_batches,
)
from .models import RenewalApplication, RenewalPlan
from .windows import in_grace, renewal_may_apply

OFFICE_ROLES = ("city_staff", "province_staff", "admin")
# The fields of FJ22 附件1 / 附件2 the applicant fills (pre-filled from the portal where it knows them).
FORM_FIELDS = ("institution_name", "uscc", "address", "legal_representative", "head", "contact_name",
               "contact_phone", "contact_email", "pledge_accepted", "shortfall_explanation", "summary_basic",
               "summary_problems", "summary_next_period")
SUMMARY_FIELDS = ("summary_basic", "summary_problems", "summary_next_period")


def _require_owner(filing: Filing, acting_user) -> None:
    if getattr(acting_user, "role", None) != "institution" or acting_user.institution_id != filing.institution_id:
        raise PermissionDeniedError(_("Only the filed institution applies for the renewal of its filing."),
                                    rule="REN-01")


def _require_office(application: RenewalApplication, acting_user) -> None:
    if getattr(acting_user, "role", None) not in OFFICE_ROLES or not filing_in_jurisdiction(application.filing,
                                                                                          acting_user):
        raise PermissionDeniedError(_("The renewal is evaluated by the office that holds the filing."),
                                    rule="JUR-03")


def _locked(application: RenewalApplication) -> RenewalApplication:
    return RenewalApplication.objects.select_for_update().select_related(
        "filing", "filing__institution", "filing__handling_region").get(pk=application.pk)


def _default_plans(application: RenewalApplication) -> None:
    """REN-06: the 6 most recent reported batches of the validity period (the applicant may choose others)."""
    filing = application.filing
    batches = reported_batches(filing, start=period_start(filing, application.expires_on),
                               end=application.expires_on)[:MAX_PLANS]
    _plans_write(application, list(batches))


def _plans_write(application: RenewalApplication, batches: Sequence) -> None:
    application.plans.all().delete()
    rows = []
    for position, batch in enumerate(batches, 1):
        row = plan_row(batch)
        rows.append(RenewalPlan(application=application, batch=batch, position=position,
                                plan_number=row["plan_number"], occupation=row["occupation"][:100],
                                work_type=row["work_type"][:100], level=row["level"][:40],
                                assessed=row["assessed"], passed=row["passed"], uploaded=row["uploaded"],
                                year=row["year"]))
    RenewalPlan.objects.bulk_create(rows)


@transaction.atomic(durable=True)
def renewal_application_start(*, filing: Filing, acting_user) -> RenewalApplication:
    """REN-01/03/06: the institution starts its renewal form, pre-filled from the portal's data, from the day the
    window opens until the grace period ends; the 6 most recent reported batches are the default plans."""
    _require_owner(filing, acting_user)
    filing = Filing.objects.select_for_update().select_related("institution", "handling_region").get(pk=filing.pk)
    ok, rule, message = renewal_may_apply(filing, clock.today())
    if not ok:
        raise DomainError(message, rule=rule, code="outside_window")
    if filing.renewals.filter(state__in=(*RenewalApplication.PENDING_STATES, RenewalApplication.State.DRAFT)).exists():
        raise DomainError(_("A renewal of filing %(number)s is already in progress.") % {"number": filing.number},
                          rule="REN-01", code="renewal_open")
    inst = filing.institution
    try:
        with transaction.atomic():
            application = RenewalApplication.objects.create(
                reference=next_reference(RenewalApplication, "REN"), filing=filing, expires_on=filing.expires_on,
                institution_name=inst.name, uscc=inst.uscc, address=inst.address,
                legal_representative=inst.legal_representative, head=inst.head, contact_name=inst.contact_name,
                contact_phone=inst.contact_phone[:20], contact_email=inst.contact_email, created_by=acting_user)
    except IntegrityError:
        raise DomainError(_("A renewal of filing %(number)s is already in progress.") % {"number": filing.number},
                          rule="REN-01", code="renewal_open") from None
    _default_plans(application)
    audit_record(actor=acting_user, action="renewalapplication.create", obj=application, to_state="draft",
                 data={"filing": filing.number, "expires_on": filing.expires_on})
    return application


@transaction.atomic(durable=True)
def renewal_update(*, application: RenewalApplication, acting_user, **fields) -> RenewalApplication:
    """The applicant edits the draft's form fields (FJ22 附件1, 附件2)."""
    application = _locked(application)
    _require_owner(application.filing, acting_user)
    if application.state != RenewalApplication.State.DRAFT:
        raise DomainError(_("Only a draft renewal is changed."), rule="REN-06", code="invalid_state")
    unknown = set(fields) - set(FORM_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))}, rule="REN-06",
                          code="unknown_field")
    changed = {}
    for name, value in fields.items():
        value = value.strip() if isinstance(value, str) else bool(value)
        if getattr(application, name) != value:
            setattr(application, name, value)
            changed[name] = value if name in ("pledge_accepted",) else len(str(value))
    if changed:
        application.full_clean(exclude=["filing", "created_by", "evaluator", "state", "reference"])
        application.save()
        audit_record(actor=acting_user, action="renewalapplication.update", obj=application,
                     data={"fields": sorted(changed)})
    return application


def renewal_plan_choices(application: RenewalApplication) -> list[dict]:
    """The batches the applicant may list: the filing's reported batches of the validity period (REN-06)."""
    filing = application.filing
    return [plan_row(b) for b in reported_batches(filing, start=period_start(filing, application.expires_on),
                                                  end=application.expires_on)]


@transaction.atomic(durable=True)
def renewal_plans_choose(*, application: RenewalApplication, batch_ids: Sequence[int], acting_user) -> list:
    """REN-06: up to 6 evaluation plans from the filing's reported batches of the validity period, in order."""
    application = _locked(application)
    _require_owner(application.filing, acting_user)
    if application.state != RenewalApplication.State.DRAFT:
        raise DomainError(_("Only a draft renewal is changed."), rule="REN-06", code="invalid_state")
    ids = list(dict.fromkeys(int(i) for i in batch_ids))
    if len(ids) > MAX_PLANS:
        raise DomainError(_("The form lists at most 6 evaluation plans."), rule="REN-06", code="too_many_plans")
    filing = application.filing
    available = {b.pk: b for b in reported_batches(filing, start=period_start(filing, application.expires_on),
                                                   end=application.expires_on)}
    foreign = [i for i in ids if i not in available]
    if foreign:
        raise DomainError(_("Only batches of this filing with reported results in the validity period are listed."),
                          rule="REN-06", code="not_a_reported_batch")
    _plans_write(application, [available[i] for i in ids])
    audit_record(actor=acting_user, action="renewalapplication.plans", obj=application,
                 data={"plans": [available[i].plan_number for i in ids]})
    return list(application.plans.all())


def submit_problems(application: RenewalApplication, today=None) -> list[tuple[str, str]]:
    """What keeps the draft from being submitted, each with its rule (the form shows them; submit refuses)."""
    today = today or clock.today()
    filing = application.filing
    problems: list[tuple[str, str]] = []
    ok, rule, message = renewal_may_apply(filing, today)
    if not ok:
        problems.append((rule, message))
    elif filing.expires_on != application.expires_on:
        problems.append(("REN-08", _("The filing's expiry changed since the form was started; start a new one.")))
    if not application.pledge_accepted:
        problems.append(("REN-06", _("Sign the integrity pledge.")))
    missing = [str(RenewalApplication._meta.get_field(f).verbose_name) for f in SUMMARY_FIELDS
               if not getattr(application, f).strip()]
    if missing:
        problems.append(("REN-06", _("Write every section of the work summary: %(s)s.") % {"s": "、".join(missing)}))
    for check in blocking_checks(renewal_eligibility(filing, application=application)):
        problems.append((check.rule, check.message))
    return problems


@transaction.atomic(durable=True)
def renewal_submit(*, application: RenewalApplication, acting_user, ip: str | None = None) -> RenewalApplication:
    """REN-01/03/04/05/06: submitted to the office that holds the filing, inside the window or the grace
    period, with the pledge, the three summary sections, a shortfall explanation if needed and no REN-05 bar."""
    application = _locked(application)
    _require_owner(application.filing, acting_user)
    if application.state != RenewalApplication.State.DRAFT:
        raise DomainError(_("'%(name)s' is not allowed while the record is '%(state)s'.")
                          % {"name": "submit", "state": application.state}, rule="REN-01", code="invalid_state")
    problems = submit_problems(application)
    if problems:
        rule, message = problems[0]
        raise DomainError(message, rule=rule, code="not_submittable")
    grace = in_grace(application.filing, clock.today())
    application = transition_run(instance=application, name="submit", acting_user=acting_user, ip=ip,
                                 comment=_("in the grace period") if grace else "")
    if grace:
        RenewalApplication.objects.filter(pk=application.pk).update(in_grace=True)
        application.in_grace = True
    return application


@transaction.atomic(durable=True)
def renewal_start_evaluation(*, application: RenewalApplication, acting_user,
                             ip: str | None = None) -> RenewalApplication:
    """REN-07: the office starts the evaluation; it is due 30 WD (the profile's) after the materials arrived."""
    application = transition_run(instance=application, name="start_evaluation", acting_user=acting_user, ip=ip)
    profile = profile_for(application.filing.handling_region)
    due = due_date(application.submitted_on or clock.today(), profile.renewal_evaluation_wd)
    RenewalApplication.objects.filter(pk=application.pk).update(
        evaluation_due=due.date, evaluation_due_provisional=due.provisional, evaluator=acting_user)
    application.evaluation_due, application.evaluation_due_provisional = due.date, due.provisional
    application.evaluator = acting_user
    return application


def _announce_renewed(filing: Filing, old_expiry, new_expiry) -> Announcement:
    name = filing.institution.name
    return Announcement.objects.create(
        kind=Announcement.Kind.RENEWED, institution=filing.institution, filing=filing,
        title=_("Filing renewed: %(name)s") % {"name": name},
        body=_("The filing of %(name)s (filing number %(number)s, kept) is renewed: valid until %(end)s "
               "(previously %(old)s).") % {"name": name, "number": filing.number, "end": new_expiry.isoformat(),
                                           "old": old_expiry.isoformat()},
        published_on=clock.today())


@transaction.atomic(durable=True)
def renewal_approve(*, application: RenewalApplication, acting_user, comment: str = "",
                    ip: str | None = None) -> RenewalApplication:
    """REN-08/09, CHG-06, INC-01/02: a pass renews the filing — the same number, valid 3 years more from the old
    expiry (also when approved in the grace period), the occupations added in the period with it; the period
    that ends at the old expiry is closed with its clean-record flag; the renewal is published."""
    application = _locked(application)
    _require_office(application, acting_user)
    if application.state != RenewalApplication.State.UNDER_EVALUATION:
        raise DomainError(_("'%(name)s' is not allowed while the record is '%(state)s'.")
                          % {"name": "approve", "state": application.state}, rule="REN-08", code="invalid_state")
    filing = application.filing
    bars = [c for c in blocking_checks(renewal_eligibility(filing, application=application)) if c.rule == "REN-05"]
    if bars:
        raise DomainError(bars[0].message, rule="REN-05", code="not_eligible")
    if filing.expires_on != application.expires_on:
        raise DomainError(_("Filing %(number)s was renewed already.") % {"number": filing.number}, rule="REN-08",
                          code="already_renewed")
    old_expiry = filing.expires_on
    start = period_start(filing, old_expiry)
    application = transition_run(instance=application, name="approve", acting_user=acting_user, ip=ip,
                                 params={"comment": comment})
    filing = filing_renew(filing=filing, acting_user=acting_user, ip=ip)
    RenewalApplication.objects.filter(pk=application.pk).update(new_expires_on=filing.expires_on)
    application.new_expires_on = filing.expires_on
    validity_period_close(filing, start, old_expiry, acting_user=acting_user)
    _announce_renewed(filing, old_expiry, filing.expires_on)
    return application


@transaction.atomic(durable=True)
def renewal_reject(*, application: RenewalApplication, acting_user, reasons: str,
                   ip: str | None = None) -> RenewalApplication:
    """REN-04/05: the office rejects the renewal, giving its reasons."""
    reasons = (reasons or "").strip()
    if not reasons:
        raise DomainError(_("Give the reasons for the rejection."), rule="REN-05", code="reason_required")
    return transition_run(instance=application, name="reject", acting_user=acting_user, ip=ip,
                          params={"reasons": reasons})


TRANSITION_SERVICES = {"submit", "start_evaluation", "approve", "reject"}


def renewal_transition_run(application: RenewalApplication, name: str, acting_user, *, reasons: str = "",
                           comment: str = "", ip: str | None = None) -> RenewalApplication:
    """One entry for the pages and the API: each transition through its service."""
    if name == "submit":
        return renewal_submit(application=application, acting_user=acting_user, ip=ip)
    if name == "start_evaluation":
        return renewal_start_evaluation(application=application, acting_user=acting_user, ip=ip)
    if name == "approve":
        return renewal_approve(application=application, acting_user=acting_user, comment=comment, ip=ip)
    if name == "reject":
        return renewal_reject(application=application, acting_user=acting_user, reasons=reasons, ip=ip)
    raise DomainError(_("Unknown transition '%(name)s'.") % {"name": name}, code="unknown_transition")


def renewal_evaluation_due_recompute(year: int) -> int:
    """REN-07: recompute the provisional evaluation due dates reaching into `year` once its official schedule is
    entered (for `filing_portal.workdays.calendar.register_recompute`); idempotent."""
    import datetime as dt

    changed = 0
    rows = (RenewalApplication.objects.filter(state=RenewalApplication.State.UNDER_EVALUATION,
                                              evaluation_due_provisional=True, evaluation_due__gte=dt.date(year, 1, 1))
            .select_related("filing__handling_region"))
    for application in rows:
        days = profile_for(application.filing.handling_region).renewal_evaluation_wd
        due = due_date(application.submitted_on or application.evaluation_started_on, days)
        if (due.date, due.provisional) != (application.evaluation_due, application.evaluation_due_provisional):
            RenewalApplication.objects.filter(pk=application.pk).update(
                evaluation_due=due.date, evaluation_due_provisional=due.provisional)
            changed += 1
    return changed
