"""续期: the renewal application of a filing (DESIGN.md "Renewal application"), its form (FJ22 附件1) and
work summary (FJ22 附件2), and the reminders the daily sweep sends before and after expiry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from filing_portal.core import clock
from filing_portal.core.workflow import ConcurrentStates, allowed
from institutions.filing_models import filing_in_jurisdiction

OFFICE_ROLES = ("city_staff", "province_staff", "admin")


def _owner(instance, user) -> bool:
    return user.institution_id is not None and user.institution_id == instance.filing.institution_id


def _office(instance, user) -> bool:
    return filing_in_jurisdiction(instance.filing, user)


class RenewalApplication(ConcurrentStates, models.Model):
    """延续申请: applied for in the window before expiry or the grace period after it (REN-01, REN-03)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_EVALUATION = "under_evaluation", _("Under evaluation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    PENDING_STATES = (State.SUBMITTED, State.UNDER_EVALUATION)

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    filing = models.ForeignKey("institutions.Filing", on_delete=models.PROTECT, related_name="renewals")
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    # the expiry this application renews (the filing's expires_on when the application was started)
    expires_on = models.DateField(_("expiry renewed"))
    # FJ22 附件1: institution information as filled (pre-filled from the portal's data, editable)
    institution_name = models.CharField(_("institution name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    address = models.CharField(_("address"), max_length=200, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True)
    head = models.CharField(_("head"), max_length=60, blank=True)
    contact_name = models.CharField(_("contact"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    pledge_accepted = models.BooleanField(_("integrity pledge signed"), default=False)
    # REN-04: fewer than 6 batches need a written explanation (e.g. force majeure)
    shortfall_explanation = models.TextField(_("explanation for fewer than 6 batches"), blank=True)
    # FJ22 附件2: the work summary's three sections
    summary_basic = models.TextField(_("basic situation"), blank=True)
    summary_problems = models.TextField(_("problems and rectification"), blank=True)
    summary_next_period = models.TextField(_("work plan for the next period"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    in_grace = models.BooleanField(_("applied in the grace period"), default=False)
    evaluation_started_on = models.DateField(null=True, blank=True)
    evaluation_due = models.DateField(_("evaluation due"), null=True, blank=True)  # REN-07: +30 WD
    evaluation_due_provisional = models.BooleanField(default=False)
    evaluation_overdue_on = models.DateField(null=True, blank=True)  # set by the sweep
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_reasons = models.TextField(_("reasons"), blank=True)
    new_expires_on = models.DateField(_("renewed until"), null=True, blank=True)  # REN-08

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("renewal application")
        verbose_name_plural = _("renewal applications")
        constraints = [
            # one renewal in progress per filing
            models.UniqueConstraint(fields=["filing"],
                                    condition=models.Q(state__in=["draft", "submitted", "under_evaluation"]),
                                    name="renewal_one_open_per_filing"),
            models.CheckConstraint(condition=~models.Q(state="rejected") | ~models.Q(decision_reasons=""),
                                   name="renewal_rejection_has_reasons"),
        ]
        indexes = [models.Index(fields=["state", "evaluation_due"], name="renewal_queue_idx")]

    def __str__(self) -> str:
        return self.reference

    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED,
                permission=allowed("institution", check=_owner), custom={"rule": "REN-01"})
    def submit(self):
        self.submitted_on = clock.today()

    @transition(field=state, source=State.SUBMITTED, target=State.UNDER_EVALUATION,
                permission=allowed(*OFFICE_ROLES, check=_office), custom={"rule": "REN-07"})
    def start_evaluation(self):
        self.evaluation_started_on = clock.today()

    @transition(field=state, source=State.UNDER_EVALUATION, target=State.APPROVED,
                permission=allowed(*OFFICE_ROLES, check=_office), custom={"rule": "REN-08"})
    def approve(self, comment: str = ""):
        self.decided_on = clock.today()

    @transition(field=state, source=State.UNDER_EVALUATION, target=State.REJECTED,
                permission=allowed(*OFFICE_ROLES, check=_office), custom={"rule": "REN-05"})
    def reject(self, reasons: str):
        self.decided_on = clock.today()
        self.decision_reasons = reasons


class RenewalPlan(models.Model):
    """FJ22 附件1: one of up to 6 evaluation plans the institution reports, chosen from its reported batches."""

    application = models.ForeignKey(RenewalApplication, on_delete=models.CASCADE, related_name="plans")
    batch = models.ForeignKey("assessments.AssessmentBatch", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("no."))
    # the row as printed on the form (copied from the batch when chosen, so the form stays as submitted)
    plan_number = models.CharField(_("plan number"), max_length=24)
    occupation = models.CharField(_("occupation"), max_length=100)
    work_type = models.CharField(_("work type"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=40)
    assessed = models.PositiveIntegerField(_("assessed"))
    passed = models.PositiveIntegerField(_("passed"))
    uploaded = models.BooleanField(_("certificates uploaded"))
    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        ordering = ["application", "position"]
        verbose_name = _("evaluation plan of the renewal form")
        verbose_name_plural = _("evaluation plans of the renewal form")
        constraints = [
            models.UniqueConstraint(fields=["application", "batch"], name="renewal_plan_batch_once"),
            models.UniqueConstraint(fields=["application", "position"], name="renewal_plan_position_once"),
            models.CheckConstraint(condition=models.Q(position__gte=1, position__lte=6), name="renewal_plan_max_6"),
        ]

    def __str__(self) -> str:
        return self.plan_number


class FilingReminder(models.Model):
    """A reminder the sweep sent about a filing's expiry (REN-01/03): one row per (filing, expiry, kind), so a
    reminder is sent once whatever the number of sweeps."""

    class Kind(models.TextChoices):
        DAYS_90 = "d90", _("90 days before expiry")
        DAYS_30 = "d30", _("30 days before expiry")
        DAYS_7 = "d7", _("7 days before expiry")
        EXPIRED = "expired", _("On expiry")
        GRACE_7 = "grace7", _("7 days before the grace period ends")

    # No index of its own: filing_reminder_once (Meta) begins with it
    filing = models.ForeignKey("institutions.Filing", on_delete=models.PROTECT, related_name="reminders",
                               db_index=False)
    expires_on = models.DateField()  # the expiry the reminder is about (a renewal starts a new series)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    sent_on = models.DateField()
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["filing", "expires_on", "sent_on"]
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [models.UniqueConstraint(fields=["filing", "expires_on", "kind"], name="filing_reminder_once")]

    def __str__(self) -> str:
        return f"{self.filing_id} {self.kind} {self.expires_on}"
