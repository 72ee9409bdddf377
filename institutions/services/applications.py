"""The filing application workflow (DESIGN.md "Filing application"), one service per use case.

Every transition goes through `transition_run` (lock → permission and guards → transition
→ save → audit event). Due dates are computed here from the province's policy profile
and the working-day calendar, and stored on the application (DESIGN.md "Time").
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from filing_portal.audit.services import audit_record
from filing_portal.core import clock
from filing_portal.core.errors import DomainError, PermissionDeniedError
from filing_portal.core.workflow import transition_check, transition_run
from filing_portal.regions.jurisdiction import profile_for
from filing_portal.workdays.calendar import due_date

from ..models import ExpertOpinion, Filing, FilingApplication, Institution, Objection
from .eligibility import EligibilityError, application_check_eligibility, application_handling_region

logger = logging.getLogger(__name__)
FIL04_CLAUSE = "《关于实行职业技能考核鉴定机构备案和监督管理的通知》第三条第（一）项第2目"
EDITABLE_STATES = (FilingApplication.State.DRAFT, FilingApplication.State.SUPPLEMENT_REQUESTED)


def _today() -> dt.date:
    return clock.today()


def _notify_institution(application: FilingApplication, subject: str, body: str) -> None:
    """Tell the institution's users by e-mail (the SMS gateway of FIL-03 is the e-mail backend's job)."""
    recipients = list(application.institution.users.exclude(email="").values_list("email", flat=True))
    if recipients:
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients, fail_silently=True))


@transaction.atomic
def application_create(*, institution: Institution, acting_user, kind: str = FilingApplication.Kind.INITIAL,
                       filing: Filing | None = None) -> FilingApplication:
    """A new draft. Changes (CHG-01/02) belong to the institution's filing."""
    if acting_user.role == "institution" and acting_user.institution_id != institution.pk:
        raise PermissionDeniedError(_("You may only apply for your own institution."), rule="JUR-03")
    if kind != FilingApplication.Kind.INITIAL:
        if filing is None or filing.institution_id != institution.pk:
            raise DomainError(_("A change belongs to one of the institution's filings."), rule="CHG-01")
        if filing.state != Filing.State.ACTIVE:
            raise DomainError(_("Only an active filing can be changed."), rule="CHG-01", code="filing_not_active")
    elif institution.filings.filter(state__in=["active", "suspended"]).exists():
        raise DomainError(_("The institution is filed already; apply for a change instead."), rule="CHG-01",
                          code="already_filed")
    application = FilingApplication.objects.create(institution=institution, kind=kind, filing=filing)
    audit_record(actor=acting_user, action="filingapplication.create", obj=application, to_state="draft",
                 data={"kind": kind})
    return application


def application_assert_editable(application: FilingApplication, user) -> None:
    """Only the institution edits its sections, and only in draft or while supplementing (FIL-03)."""
    if user.role != "institution" or user.institution_id != application.institution_id:
        raise PermissionDeniedError(_("Only the applying institution edits its application."), rule="JUR-03")
    if application.state not in EDITABLE_STATES:
        raise DomainError(_("The application can no longer be edited (it is %(state)s).")
                          % {"state": application.get_state_display()}, rule="FIL-01", code="not_editable")


@transaction.atomic
def application_sign_pledges(*, application: FilingApplication, acting_user, signed_by: str) -> FilingApplication:
    """FIL-12: the legal representative signs both pledges (SC21 附件4 and 附件5)."""
    application_assert_editable(application, acting_user)
    if not signed_by.strip():
        raise DomainError(_("Name the legal representative who signs the pledges."), rule="FIL-12")
    FilingApplication.objects.filter(pk=application.pk).update(
        pledge_truthfulness=True, pledge_operation=True, pledged_by=signed_by.strip(), pledged_at=timezone.now())
    audit_record(actor=acting_user, action="filingapplication.sign_pledges", obj=application,
                 data={"signed_by": signed_by.strip()})
    application.refresh_from_db()
    return application


@transaction.atomic
def application_submit(*, application: FilingApplication, acting_user, ip: str | None = None) -> FilingApplication:
    """Submit: eligibility (ELIG-*), the handling office (JUR-01/02), the acceptance due date (FIL-02)."""
    problems = application_check_eligibility(application)
    if problems:
        raise EligibilityError(problems)
    region = application_handling_region(application)
    profile = profile_for(region)
    due = due_date(_today(), profile.acceptance_deadline_wd)
    late = application_change_materials_lateness(application, profile=profile)
    FilingApplication.objects.filter(pk=application.pk).update(
        handling_region=region, acceptance_due=due.date, due_dates_provisional=due.provisional or late["provisional"],
        submitted_at=timezone.now(), change_materials_due=late["due"], change_materials_late=late["late"])
    application.refresh_from_db()
    params = {"handling_region": region.code, "acceptance_due": due.date}
    if late["late"]:
        params["CHG-03"] = {"change_date": application.change_date, "due": late["due"]}
    return transition_run(instance=application, name="submit", acting_user=acting_user, ip=ip, params=params,
                          comment=_("CHG-03: change materials submitted late (due %(due)s)")
                          % {"due": late["due"].isoformat()} if late["late"] else "")


def application_change_materials_lateness(application: FilingApplication, *, profile) -> dict:
    """CHG-03: change materials are due within N WD (profile) before or after the change.

    A late submission is not refused — the regime still expects the filing — but flagged to staff.
    """
    if application.kind == FilingApplication.Kind.INITIAL or application.change_date is None:
        return {"due": None, "late": False, "provisional": False}
    due = due_date(application.change_date, profile.change_materials_wd)
    return {"due": due.date, "late": _today() > due.date, "provisional": due.provisional}


@transaction.atomic
def application_request_supplement(*, application: FilingApplication, items: list[str], acting_user,
                                   ip: str | None = None) -> FilingApplication:
    """FIL-03: one consolidated notice listing every missing item; due +5 WD (FIL-04)."""
    items = [i.strip() for i in items if i and i.strip()]
    if not items:
        raise DomainError(_("List every missing item in the one-time notice."), rule="FIL-03", code="no_items")
    if application.handling_region_id is None:
        # A draft has no handling office yet (set on submission): the transition refuses it (409/403)
        # instead of the profile lookup failing with a 500 (found by tests/fuzz).
        return transition_run(instance=application, name="request_supplement", acting_user=acting_user, ip=ip)
    profile = profile_for(application.handling_region)
    due = due_date(_today(), profile.supplement_deadline_wd)
    application = transition_run(instance=application, name="request_supplement", acting_user=acting_user, ip=ip,
                                  params={"items": items, "supplement_due": due.date})
    FilingApplication.objects.filter(pk=application.pk).update(
        supplement_requested_on=_today(), supplement_due=due.date,
        due_dates_provisional=application.due_dates_provisional or due.provisional)
    application.refresh_from_db()
    _notify_institution(application, _("Please supplement your filing application"),
                        _("Missing items (supply all of them by %(due)s, or the application is terminated):\n")
                        % {"due": due.date.isoformat()} + "\n".join(f"- {i}" for i in items))
    return application


@transaction.atomic
def application_resubmit(*, application: FilingApplication, acting_user, ip: str | None = None):
    return transition_run(instance=application, name="resubmit", acting_user=acting_user, ip=ip)


def applications_expire_supplements(as_of: dt.date) -> int:
    """FIL-04 sweep: a supplement not completed by its due date terminates the application (notice style 2)."""
    changed = 0
    for application in FilingApplication.objects.filter(state=FilingApplication.State.SUPPLEMENT_REQUESTED,
                                                        supplement_due__lt=as_of):
        with transaction.atomic():
            transition_run(
                instance=application, name="expire", acting_user=None,
                params={"reason": _("the requested materials were not supplemented within 5 working days "
                                    "(due %(due)s)") % {"due": application.supplement_due.isoformat()},
                        "clause": FIL04_CLAUSE},
            )
        changed += 1
    return changed


@transaction.atomic
def application_accept(*, application: FilingApplication, acting_user, ip: str | None = None):
    return transition_run(instance=application, name="accept", acting_user=acting_user, ip=ip)


@transaction.atomic
def application_record_opinion(*, application: FilingApplication, stage: str, passed: bool, opinion: str,
                               expert_names: str, acting_user) -> ExpertOpinion:
    """FIL-01: the expert group's opinion at initial review or on-site technical evaluation."""
    expected = {ExpertOpinion.Stage.INITIAL_REVIEW: FilingApplication.State.INITIAL_REVIEW,
                ExpertOpinion.Stage.TECHNICAL_EVALUATION: FilingApplication.State.TECHNICAL_EVALUATION}
    if stage not in expected:
        raise DomainError(_("Unknown review stage."), rule="FIL-01")
    application = FilingApplication.objects.select_for_update().get(pk=application.pk)
    if application.state != expected[stage]:
        raise DomainError(_("Opinions of this stage are recorded while the application is in it."), rule="FIL-01",
                          code="invalid_state")
    if acting_user.role not in ("expert", "city_staff", "province_staff"):
        raise PermissionDeniedError(_("Experts and staff record opinions."), rule="FIL-01")
    if acting_user.role != "expert":
        from ..application_models import in_jurisdiction

        if not in_jurisdiction(application, acting_user):
            raise PermissionDeniedError(_("The application is outside your jurisdiction."), rule="JUR-03")
    if not opinion.strip() or not expert_names.strip():
        raise DomainError(_("Write the opinion and name the experts."), rule="FIL-01", code="opinion_required")
    record = ExpertOpinion.objects.create(application=application, stage=stage, passed=passed, opinion=opinion.strip(),
                                          expert_names=expert_names.strip(),
                                          expert=acting_user if acting_user.role == "expert" else None)
    audit_record(actor=acting_user, action="filingapplication.record_opinion", obj=application,
                 from_state=application.state, to_state=application.state, comment=opinion.strip(),
                 data={"stage": stage, "passed": passed, "experts": expert_names.strip()})
    return record


@transaction.atomic
def application_pass_initial_review(*, application: FilingApplication, acting_user, ip: str | None = None):
    return transition_run(instance=application, name="pass_initial_review", acting_user=acting_user, ip=ip)


@transaction.atomic
def application_record_evaluation(*, application: FilingApplication, opinion: str, expert_names: str, acting_user,
                                  ip: str | None = None) -> FilingApplication:
    """On-site technical evaluation passed: the opinion is kept and completion is due in 15 WD (FIL-05)."""
    application = FilingApplication.objects.get(pk=application.pk)
    if application.state != FilingApplication.State.TECHNICAL_EVALUATION:
        return transition_run(instance=application, name="record_evaluation", acting_user=acting_user, ip=ip)
    from ..application_models import in_jurisdiction

    if acting_user.role not in ("city_staff", "province_staff") or not in_jurisdiction(application, acting_user):
        raise PermissionDeniedError(_("Your role or jurisdiction does not allow '%(name)s'.")
                                    % {"name": "record_evaluation"}, rule="JUR-03")
    application_record_opinion(application=application, stage=ExpertOpinion.Stage.TECHNICAL_EVALUATION, passed=True,
                               opinion=opinion, expert_names=expert_names, acting_user=acting_user)
    due = due_date(_today(), profile_for(application.handling_region).completion_deadline_wd)
    application = transition_run(instance=application, name="record_evaluation", acting_user=acting_user, ip=ip,
                                  params={"opinion": opinion, "expert_name": expert_names, "completion_due": due.date})
    FilingApplication.objects.filter(pk=application.pk).update(
        completion_due=due.date, due_dates_provisional=application.due_dates_provisional or due.provisional)
    application.refresh_from_db()
    return application


@transaction.atomic
def application_start_public_notice(*, application: FilingApplication, acting_user, ip: str | None = None):
    """FIL-07: the notice runs the next N working days (N ≥ 5, from the profile) after publication."""
    application = FilingApplication.objects.get(pk=application.pk)  # the caller's copy may be stale
    transition_check(instance=application, name="start_public_notice", acting_user=acting_user)
    profile = profile_for(application.handling_region)
    starts = due_date(_today(), 1)
    ends = due_date(_today(), max(profile.public_notice_wd, 5))
    application = transition_run(instance=application, name="start_public_notice", acting_user=acting_user, ip=ip,
                                  params={"notice_starts_on": starts.date, "notice_ends_on": ends.date})
    FilingApplication.objects.filter(pk=application.pk).update(
        notice_starts_on=starts.date, notice_ends_on=ends.date,
        due_dates_provisional=application.due_dates_provisional or ends.provisional)
    application.refresh_from_db()
    return application


@transaction.atomic
def objection_raise(*, application: FilingApplication, contact: str, content: str, name: str = "", acting_user=None,
                    ip: str | None = None) -> Objection:
    """FIL-07: anyone may object during the notice; the objection blocks completion until resolved."""
    from django.contrib.auth.models import AnonymousUser

    if not contact.strip() or not content.strip():
        raise DomainError(_("An objection needs its content and a way to contact you."), rule="FIL-07",
                          code="objection_incomplete")
    transition_run(instance=application, name="raise_objection", acting_user=acting_user or AnonymousUser(), ip=ip,
                   params={"name": name.strip()}, comment=_("objection raised"))
    objection = Objection.objects.create(application=application, name=name.strip(), contact=contact.strip(),
                                         content=content.strip())
    return objection


@transaction.atomic
def objection_dismiss(*, objection: Objection, reason: str, acting_user, ip: str | None = None) -> Objection:
    """Staff dismiss an objection with reasons; the notice can then complete."""
    if not reason.strip():
        raise DomainError(_("Give the reasons for dismissing the objection."), rule="FIL-07", code="reason_required")
    if objection.status != Objection.Status.OPEN:
        raise DomainError(_("This objection is resolved already."), rule="FIL-07", code="resolved")
    transition_run(instance=objection.application, name="dismiss_objection", acting_user=acting_user, ip=ip,
                   params={"reason": reason.strip(), "objection_id": objection.pk})
    Objection.objects.filter(pk=objection.pk).update(status=Objection.Status.DISMISSED, resolution=reason.strip(),
                                                     resolved_by=acting_user, resolved_at=timezone.now())
    objection.refresh_from_db()
    return objection


@transaction.atomic
def objection_uphold(*, objection: Objection, reason: str, acting_user, ip: str | None = None) -> Objection:
    """An upheld objection ends the application in rejection, with the reasons (FIL-06)."""
    if not reason.strip():
        raise DomainError(_("Give the reasons for upholding the objection."), rule="FIL-06", code="reason_required")
    if objection.status != Objection.Status.OPEN:
        raise DomainError(_("This objection is resolved already."), rule="FIL-07", code="resolved")
    application_reject(application=objection.application, reason=reason.strip(), acting_user=acting_user, ip=ip)
    Objection.objects.filter(pk=objection.pk).update(status=Objection.Status.UPHELD, resolution=reason.strip(),
                                                     resolved_by=acting_user, resolved_at=timezone.now())
    objection.refresh_from_db()
    return objection


@transaction.atomic
def application_complete_notice(*, application: FilingApplication, acting_user=None, ip: str | None = None):
    """FIL-07/08: after the notice with no open objection: filed, numbered, receipt issued."""
    from .filings import filing_issue_from_application

    application = transition_run(instance=application, name="complete_notice", acting_user=acting_user, ip=ip)
    filing_issue_from_application(application=application, acting_user=acting_user)
    _notify_institution(application, _("Your filing is complete"),
                        _("The filing receipt can be downloaded from the portal."))
    return application


def applications_complete_notices(as_of: dt.date) -> int:
    """Sweep: complete every notice that ended before `as_of` and has no open objection."""
    changed = 0
    for application in FilingApplication.objects.filter(state=FilingApplication.State.PUBLIC_NOTICE,
                                                        notice_ends_on__lt=as_of).exclude(objections__status="open"):
        application_complete_notice(application=application, acting_user=None)
        changed += 1
    return changed


@transaction.atomic
def application_approve_change(*, application: FilingApplication, acting_user, ip: str | None = None):
    """CHG-02: name, legal representative, head or contacts: approved by the original office, then published."""
    from .filings import filing_apply_info_change

    application = transition_run(instance=application, name="approve_change", acting_user=acting_user, ip=ip)
    filing_apply_info_change(application=application, acting_user=acting_user)
    return application


@transaction.atomic
def application_reject(*, application: FilingApplication, reason: str, acting_user, ip: str | None = None):
    """FIL-06: a rejection states its reasons."""
    if not (reason or "").strip():
        raise DomainError(_("A rejection must state its reasons."), rule="FIL-06", code="reason_required")
    return transition_run(instance=application, name="reject", acting_user=acting_user, ip=ip,
                          params={"reason": reason.strip()})


@transaction.atomic
def application_withdraw(*, application: FilingApplication, acting_user, ip: str | None = None):
    return transition_run(instance=application, name="withdraw", acting_user=acting_user, ip=ip)


@transaction.atomic
def application_override_change_rules(*, application: FilingApplication, reason: str, acting_user):
    """CHG-04/05: staff may let a scope change through early or in the freeze, recording why."""
    from ..application_models import in_jurisdiction

    if acting_user.role not in ("city_staff", "province_staff"):
        raise PermissionDeniedError(_("Only staff may override the change rules."), rule="CHG-04")
    if application.filing and not in_jurisdiction(
            type("A", (), {"handling_region": application.filing.handling_region})(), acting_user):
        raise PermissionDeniedError(_("The filing is outside your jurisdiction."), rule="JUR-03")
    if not reason.strip():
        raise DomainError(_("Record the reason for the override."), rule="CHG-04", code="reason_required")
    FilingApplication.objects.filter(pk=application.pk).update(override_reason=reason.strip())
    audit_record(actor=acting_user, action="filingapplication.override_change_rules", obj=application,
                 comment=reason.strip())
    application.refresh_from_db()
    return application
