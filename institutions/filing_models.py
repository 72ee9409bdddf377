"""备案记录: the institution's standing after a successful filing (DESIGN.md "Filing record")."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from filing_portal.core import clock
from filing_portal.core.workflow import ConcurrentStates, allowed, system_only

OFFICE_ROLES = ("city_staff", "province_staff", "admin")


def filing_in_jurisdiction(filing, user) -> bool:
    """JUR-03 for filing records: the handling office, its province, or an administrator."""
    if user.role == "admin":
        return True
    region = filing.handling_region
    if user.region_id is None or region is None:
        return False
    if user.role == "province_staff":
        return region.pk == user.region_id or region.province_id == user.region_id
    return user.role == "city_staff" and region.pk == user.region_id


class Filing(ConcurrentStates, models.Model):
    """备案记录: filing number, scope and validity of a filed institution (FIL-08, FIL-09)."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        EXPIRED = "expired", _("Expired")
        LAPSED = "lapsed", _("Lapsed")
        REVOKED = "revoked", _("Revoked")
        TERMINATED = "terminated", _("Terminated")

    class TerminationKind(models.TextChoices):
        VOLUNTARY = "voluntary", _("Voluntary (TERM-01)")
        FORCED = "forced", _("Forced (TERM-02)")
        VENUE_CHANGE = "venue_change", _("Unapproved venue change (CHG-07)")

    class CancellationGround(models.TextChoices):
        # TERM-04 (SC21 §5(4)): the grounds on which a filing is cancelled and published.
        EQUIPMENT_FAILED = "equipment_failed", _("Equipment failed and was not fixed")
        VIOLATIONS_NOT_RECTIFIED = "violations_not_rectified", _("Violations not rectified in time")
        FALSE_MATERIALS = "false_materials", _("Filing obtained with false materials")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="filings")
    filing_number = models.OneToOneField("certificates.FilingNumber", on_delete=models.PROTECT,
                                         related_name="filing", verbose_name=_("filing number"))
    number = models.CharField(_("filing number"), max_length=13, unique=True)
    # No index of its own: the (state, handling_region) index serves every query by state, and two fewer
    # indexes make the daily sweep's bulk state updates cheaper (bench/bench_sweep.py).
    state = FSMField(_("state"), default=State.ACTIVE, choices=State.choices, protected=True)
    handling_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("filing office"))
    source_application = models.ForeignKey("institutions.FilingApplication", on_delete=models.PROTECT,
                                           related_name="+", null=True, blank=True)
    first_filed_on = models.DateField(_("first filed on"))
    valid_from = models.DateField(_("valid from"))
    expires_on = models.DateField(_("valid until"), db_index=True)  # FIL-09: 3 years
    pilot_until = models.DateField(_("pilot period until"), null=True, blank=True)  # FIL-10
    province_wide = models.BooleanField(_("province-wide service"), default=False)
    suspended_on = models.DateField(null=True, blank=True)
    suspension_reason = models.TextField(blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_kind = models.CharField(max_length=12, choices=TerminationKind.choices, blank=True)
    termination_reason = models.TextField(blank=True)
    cancellation_ground = models.CharField(_("ground of cancellation (TERM-04)"), max_length=24,
                                           choices=CancellationGround.choices, blank=True)
    renewed_count = models.PositiveSmallIntegerField(default=0)
    # SUP-04 (FJ23 Art.22, 24): after a tier-2/3 finding no new occupations, levels or sites until this date
    # (the end of the validity period in which the violation happened). Set by the supervision app.
    expansion_barred_until = models.DateField(_("no new occupations, levels or sites until"), null=True, blank=True)
    expansion_barred_reason = models.TextField(_("why expansion is barred"), blank=True)
    # ASM-04 / INC-02: how the office supervises this filing's exams; supervision switches a social
    # organisation with a clean first validity period to random supervision, assessment approval reads it.
    supervision_mode = models.CharField(_("exam supervision"), max_length=10, default="every_exam",
                                        choices=[("every_exam", _("External supervision of every exam")),
                                                 ("random", _("Random supervision"))])
    # SUP-04/05 (FJ23 Art.22(4), 23(7)): the exam date of this filing's latest conducted batch, None before
    # the first. Stored so the daily inactivity detection reads one column instead of a subquery per filing;
    # kept current by the supervision app whenever a batch is saved or deleted (supervision/activity.py).
    last_batch_exam_on = models.DateField(_("last conducted exam on"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_on__gt=models.F("valid_from")),
                                   name="filing_validity_positive"),
        ]
        indexes = [models.Index(fields=["state", "handling_region"], name="filing_state_region_idx")]

    def __str__(self) -> str:
        return self.number

    # -- derived, not stored (DESIGN.md) ---------------------------------------------------------------
    def days_to_expiry(self, today: dt.date | None = None) -> int:
        return (self.expires_on - (today or clock.today())).days

    @property
    def pilot(self) -> bool:
        """FIL-10: a new social organisation in its 1-year pilot serves only its registration area."""
        return bool(self.pilot_until and clock.today() <= self.pilot_until)

    # -- the lifecycle --------------------------------------------------------------------------------
    @transition(field=state, source=State.ACTIVE, target=State.SUSPENDED,
                permission=allowed(*OFFICE_ROLES, check=filing_in_jurisdiction), custom={"rule": "SUP-04"})
    def suspend(self, reason: str):
        self.suspended_on = clock.today()
        self.suspension_reason = reason

    @transition(field=state, source=State.SUSPENDED, target=State.ACTIVE,
                permission=allowed(*OFFICE_ROLES, check=filing_in_jurisdiction), custom={"rule": "SUP-04"})
    def reinstate(self, reason: str = ""):
        self.suspended_on = None

    @transition(field=state, source=State.ACTIVE, target=State.EXPIRED, permission=system_only,
                custom={"rule": "REN-02"})
    def expire(self):
        """At expiry reporting stops (REN-02)."""

    @transition(field=state, source=State.EXPIRED, target=State.LAPSED, permission=system_only,
                custom={"rule": "REN-03"})
    def lapse(self):
        """60 days after expiry with no renewal application the renewal is given up (REN-03)."""

    @transition(field=state, source=[State.ACTIVE, State.EXPIRED], target=State.ACTIVE,
                permission=allowed(*OFFICE_ROLES, check=filing_in_jurisdiction), custom={"rule": "REN-08"})
    def renew(self, new_expires_on: dt.date):
        self.expires_on = new_expires_on
        self.renewed_count += 1

    @transition(field=state, source=[State.ACTIVE, State.SUSPENDED, State.EXPIRED], target=State.REVOKED,
                permission=allowed(*OFFICE_ROLES, check=filing_in_jurisdiction), custom={"rule": "SUP-05"})
    def revoke(self, reason: str):
        self.revoked_on = clock.today()
        self.revocation_reason = reason

    @transition(field=state, source=[State.ACTIVE, State.SUSPENDED, State.EXPIRED], target=State.TERMINATED,
                permission=allowed(*OFFICE_ROLES, check=filing_in_jurisdiction), custom={"rule": "TERM-01"})
    def terminate(self, reason: str, kind: str = "voluntary"):
        self.terminated_on = clock.today()
        self.termination_kind = kind
        self.termination_reason = reason


class FilingScope(models.Model):
    """One (occupation, work type, level) a filing covers. Added ones expire with the filing (CHG-06)."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="scope")
    occupation = models.ForeignKey("institutions.Occupation", on_delete=models.PROTECT, related_name="+")
    work_type = models.CharField(_("work type"), max_length=100, blank=True)
    level = models.PositiveSmallIntegerField(_("level"))
    added_on = models.DateField(_("added on"))
    added_by = models.ForeignKey("institutions.FilingApplication", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)
    removed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["occupation__code", "work_type", "level"]
        verbose_name = _("filed occupation and level")
        verbose_name_plural = _("filed occupations and levels")
        constraints = [
            models.UniqueConstraint(fields=["filing", "occupation", "work_type", "level"],
                                    condition=models.Q(active=True), name="filing_scope_unique_active"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="filing_scope_level_range"),
        ]
        indexes = [models.Index(fields=["occupation", "level"], name="filing_scope_search_idx")]

    def __str__(self) -> str:
        return f"{self.occupation_id} {self.work_type} L{self.level}"


class Announcement(models.Model):
    """公告: what the public is told — filings, information changes, terminations, revocations (PUB-02, CHG-02)."""

    class Kind(models.TextChoices):
        FILED = "filed", _("Filed")
        INFO_CHANGE = "info_change", _("Information change")
        SCOPE_CHANGE = "scope_change", _("Scope change")
        TERMINATION = "termination", _("Termination")
        REVOCATION = "revocation", _("Revocation")
        SUSPENSION = "suspension", _("Rectification and suspension")
        STOP_ORDER = "stop_order", _("Order to stop assessing (unfiled body)")
        LAPSED = "lapsed", _("Renewal given up: filing lapsed")
        RENEWED = "renewed", _("Filing renewed")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, db_index=True)
    # Empty for a stop order against an unfiled body (TERM-05), which is no Institution of the portal.
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, null=True, blank=True, related_name="announcements")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_on = models.DateField(_("published on"), db_index=True)
    # CHG-07: some announcements run for a fixed period (5 WD); empty = published without end.
    published_until = models.DateField(_("published until"), null=True, blank=True)

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.title


class StopOrder(models.Model):
    """责令停止: an unfiled body found conducting assessments is ordered to stop, and it is published (TERM-05)."""

    name = models.CharField(_("name of the body"), max_length=200)
    uscc = models.CharField(_("unified social credit code (if known)"), max_length=18, blank=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    facts = models.TextField(_("facts found"))
    ordered_on = models.DateField(_("ordered on"))
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    announcement = models.OneToOneField(Announcement, on_delete=models.PROTECT, related_name="stop_order")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-ordered_on", "-id"]
        verbose_name = _("stop order")
        verbose_name_plural = _("stop orders")

    def __str__(self) -> str:
        return self.name


class TerminationNotice(models.Model):
    """TERM-01: the institution notifies its office that it ends its filing; the office confirms it."""

    class Status(models.TextChoices):
        NOTIFIED = "notified", _("Notified, awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed: filing terminated")

    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="termination_notices")
    reason = models.TextField(_("reason"))
    terminate_on = models.DateField(_("ends its activity on"))
    status = models.CharField(_("status"), max_length=9, choices=Status.choices, default=Status.NOTIFIED)
    notified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notified_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-notified_at"]
        verbose_name = _("termination notice")
        verbose_name_plural = _("termination notices")
        constraints = [models.UniqueConstraint(fields=["filing"], condition=models.Q(status="notified"),
                                               name="termination_notice_one_open")]

    def __str__(self) -> str:
        return f"{self.filing_id} {self.get_status_display()}"
