"""监督管理: draws, inspections, complaints, cases and sanctions, clean-record periods (DESIGN.md "Supervision case").

Sections (each owned by its own service module):
- inspectors and 双随机 draws (SUP-01)           -> supervision/draws.py
- inspections and their findings (ASM-04, SUP-01) -> supervision/inspections.py
- complaints (SUP-02)                             -> supervision/complaints.py
- cases, tiers and sanctions (SUP-03…06)          -> supervision/cases.py
- validity periods and incentives (INC-01/02)     -> supervision/incentives.py
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from filing_portal.core import clock
from filing_portal.core.workflow import ConcurrentStates, allowed, system_only
from filing_portal.regions.jurisdiction import region_in_jurisdiction as kernel_region_in_jurisdiction

OFFICE_ROLES = ("city_staff", "province_staff", "admin")


def region_in_jurisdiction(region, user) -> bool:
    """JUR-03 for supervision records: the office of `region`, its province, or an administrator
    (the kernel's rule, with the record's region first)."""
    return region is not None and kernel_region_in_jurisdiction(user, region)


def _office_check(instance, user) -> bool:
    return region_in_jurisdiction(instance.region, user)


# == inspectors and draws (SUP-01) =======================================================================
class InspectorProfile(models.Model):
    """外部质量督导员: an inspector of the pool. `employer` records a conflict of interest (SUP-01)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inspector_profile")
    code = models.CharField(_("inspector code"), max_length=16, unique=True)  # published in draws
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("pool of"))
    employer = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("employed by (filed institution)"))
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    active = models.BooleanField(_("in the pool"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("inspector")
        verbose_name_plural = _("inspectors")

    def __str__(self) -> str:
        return f"{self.code} {self.user.get_full_name() or self.user.username}"


class Draw(ConcurrentStates, models.Model):
    """双随机一公开: a published commitment, then a reproducible draw of institutions and inspector teams."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMMITTED = "committed", _("Commitment published")
        DRAWN = "drawn", _("Drawn, seed revealed")
        RESULTS_PUBLISHED = "results_published", _("Results published")

    ALGORITHM = "sha256-fisher-yates-v1"

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=200)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("office"))
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    # the population filter (what the office defines)
    filter_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("institutions in region"))
    filter_kind = models.CharField(_("kind of institution"), max_length=1, blank=True)
    filter_occupation = models.ForeignKey("institutions.Occupation", on_delete=models.PROTECT, null=True,
                                          blank=True, related_name="+", verbose_name=_("occupation"))
    filter_supervision_mode = models.CharField(_("supervision mode"), max_length=10, blank=True)
    sample_size = models.PositiveIntegerField(_("institutions to draw"))
    team_size = models.PositiveSmallIntegerField(_("inspectors per team"), default=2)
    inspectors = models.ManyToManyField(InspectorProfile, related_name="draws", blank=True,
                                        verbose_name=_("inspector pool"))
    inspect_from = models.DateField(_("inspections from"), null=True, blank=True)
    inspect_until = models.DateField(_("inspections until"), null=True, blank=True)
    # frozen when the commitment is published; public from then on
    population = models.JSONField(default=list, blank=True)  # filing numbers, sorted
    pool = models.JSONField(default=list, blank=True)  # inspector codes, sorted
    exclusions = models.JSONField(default=dict, blank=True)  # {filing number: [inspector codes in conflict]}
    commitment = models.CharField(_("commitment (SHA-256 of the seed)"), max_length=64, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    # secret until the draw runs; never shown before state DRAWN
    seed = models.CharField(max_length=64, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    selection = models.JSONField(default=list, blank=True)  # [{"filing_number": ..., "team": [codes]}]
    algorithm = models.CharField(max_length=32, default=ALGORITHM)
    results_published_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("random inspection draw")
        verbose_name_plural = _("random inspection draws")
        constraints = [
            models.CheckConstraint(condition=models.Q(sample_size__gte=1), name="draw_sample_positive"),
            models.CheckConstraint(condition=models.Q(team_size__gte=1), name="draw_team_positive"),
        ]

    def __str__(self) -> str:
        return self.reference

    @transition(field=state, source=State.DRAFT, target=State.COMMITTED,
                permission=allowed("city_staff", "province_staff", "admin", check=_office_check),
                custom={"rule": "SUP-01"})
    def commit(self):
        """The service freezes population and pool and stores the seed and its commitment."""

    @transition(field=state, source=State.COMMITTED, target=State.DRAWN,
                permission=allowed("city_staff", "province_staff", "admin", check=_office_check),
                custom={"rule": "SUP-01"})
    def run(self):
        """The service computes the selection from the seed and reveals the seed."""

    @transition(field=state, source=State.DRAWN, target=State.RESULTS_PUBLISHED,
                permission=allowed("city_staff", "province_staff", "admin", check=_office_check),
                custom={"rule": "SUP-01"})
    def publish_results(self):
        self.results_published_on = clock.today()


# == inspections (ASM-04, SUP-01) ========================================================================
class Inspection(models.Model):
    """督导检查: one inspection of a filed institution, from a draw, of an exam on site, or a special check."""

    class Kind(models.TextChoices):
        RANDOM = "random", _("Random inspection (double random)")
        EXAM = "exam", _("External supervision of an exam")  # ASM-04
        SPECIAL = "special", _("Special inspection")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not yet inspected")
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, null=True, blank=True, related_name="inspections")
    filing = models.ForeignKey("institutions.Filing", on_delete=models.PROTECT, related_name="inspections")
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="inspections")
    batch = models.ForeignKey("assessments.AssessmentBatch", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="inspections", verbose_name=_("batch inspected"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("office"))
    team = models.ManyToManyField(InspectorProfile, related_name="inspections", blank=True,
                                  verbose_name=_("team"))
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.PENDING,
                               db_index=True)
    summary = models.TextField(_("summary of findings"), blank=True)
    external = models.BooleanField(_("external supervision"), default=True)  # counts for FJ23 Art.23(11)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-planned_on", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["institution", "outcome", "inspected_on"], name="inspection_outcome_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(outcome="pending") | models.Q(inspected_on__isnull=False),
                                   name="inspection_outcome_has_date"),
        ]

    def __str__(self) -> str:
        return self.reference


class InspectionFinding(models.Model):
    """One checklist item of an inspection (FJ23 Art.8–14, Art.21(9))."""

    class Item(models.TextChoices):
        RULES = "rules", _("Rules and procedures published (FJ23 Art.8)")
        STAFFING = "staffing", _("Staffing, qualified assessors, invigilators not trainers (FJ23 Art.9)")
        FEES = "fees", _("Fee standards published, not bundled with training (FJ23 Art.10)")
        RECORDS = "records", _("Ledger, database and archives kept (FJ23 Art.11)")
        VENUE = "venue", _("Filed venue, not rented temporarily (FJ23 Art.12)")
        EQUIPMENT = "equipment", _("Facilities and equipment maintained (FJ23 Art.12)")
        VIDEO = "video", _("Complete exam video available (FJ23 Art.21(9))")
        SAFETY = "safety", _("Fire safety and emergency plans (FJ23 Art.14)")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.CharField(_("checklist item"), max_length=10, choices=Item.choices)
    compliant = models.BooleanField(_("compliant"))
    note = models.TextField(_("what was found"), blank=True)

    class Meta:
        ordering = ["inspection", "item"]
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="inspection_finding_unique")]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.item}"


class InspectionAttachment(models.Model):
    """A photo or document from an inspection (kept: REC-02)."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document")

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="supervision/inspections/%Y/%m/")
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("inspection attachment")
        verbose_name_plural = _("inspection attachments")

    def __str__(self) -> str:
        return self.original_name


# == complaints (SUP-02) =================================================================================
class Complaint(models.Model):
    """投诉举报: a complaint from the public, answered by the office within the profile's response time."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        HANDLING = "handling", _("Being handled")
        ANSWERED = "answered", _("Answered")

    class Outcome(models.TextChoices):
        SUBSTANTIATED = "substantiated", _("Substantiated")
        PARTLY = "partly", _("Partly substantiated")
        NOT_SUBSTANTIATED = "not_substantiated", _("Not substantiated")
        OUT_OF_REMIT = "out_of_remit", _("Outside the office's remit (referred)")

    ack_number = models.CharField(_("acknowledgement number"), max_length=24, unique=True)
    status = models.CharField(_("status"), max_length=9, choices=Status.choices, default=Status.RECEIVED,
                              db_index=True)
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="complaints", verbose_name=_("institution"))
    institution_name = models.CharField(_("institution named by the complainant"), max_length=200, blank=True)
    batch = models.ForeignKey("assessments.AssessmentBatch", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="complaints", verbose_name=_("batch"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("handling office"))
    facts = models.TextField(_("what happened"))
    anonymous = models.BooleanField(_("anonymous"), default=False)
    contact_name = models.CharField(_("name"), max_length=60, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    received_on = models.DateField(_("received on"))
    response_due = models.DateField(_("response due"))  # SUP-02, the profile's complaint_response_wd
    overdue_flagged_on = models.DateField(_("flagged overdue on"), null=True, blank=True)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("handled by"))
    handling_started_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    response = models.TextField(_("response to the complainant"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    case = models.ForeignKey("supervision.Case", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="complaints")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(condition=~models.Q(status="answered") | (
                models.Q(answered_on__isnull=False) & ~models.Q(response="") & ~models.Q(outcome="")),
                name="complaint_answer_complete"),
        ]
        indexes = [models.Index(fields=["status", "region", "response_due"], name="complaint_queue_idx")]

    def __str__(self) -> str:
        return self.ack_number


class ComplaintAttachment(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to="supervision/complaints/%Y/%m/")
    original_name = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("complaint attachment")
        verbose_name_plural = _("complaint attachments")

    def __str__(self) -> str:
        return self.original_name


# == cases and sanctions (SUP-03…06) =====================================================================
class Tier(models.TextChoices):
    NONE = "none", _("No violation")
    TIER1 = "tier1", _("Tier 1: interview (FJ23 Art.21)")
    TIER2 = "tier2", _("Tier 2: rectification and suspension (FJ23 Art.22, 24)")
    TIER3 = "tier3", _("Tier 3: revocation and 3-year ban (FJ23 Art.23)")


class Case(ConcurrentStates, models.Model):
    """违规案件 (DESIGN.md "Supervision case"), with a `proposed` state in front for what the sweep detects:

    proposed --confirm--> open | proposed --dismiss--> dismissed
    open --investigate--> investigating --decide--> decided (tier none | tier1 | tier2 | tier3)
    decided(tier2) --submit_rectification--> rectification_submitted --verify--> closed (reinstated)
    rectification_submitted --reject_rectification--> decided
    decided(tier2) | rectification_submitted --escalate--> escalated (tier 3: revoked, banned)
    """

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed by the system")
        OPEN = "open", _("Open")
        INVESTIGATING = "investigating", _("Investigating")
        DECIDED = "decided", _("Decided")
        RECTIFICATION_SUBMITTED = "rectification_submitted", _("Rectification submitted")
        CLOSED = "closed", _("Closed")
        ESCALATED = "escalated", _("Escalated to tier 3")
        DISMISSED = "dismissed", _("Dismissed")

    class Origin(models.TextChoices):
        STAFF = "staff", _("Opened by staff")
        COMPLAINT = "complaint", _("Complaint")
        INSPECTION = "inspection", _("Inspection")
        DETECTION = "detection", _("Detected by the daily sweep")
        VIOLATION = "violation", _("Recorded batch violation")

    class Detection(models.TextChoices):
        INACTIVE_1Y = "inactive_1y", _("No assessment for a year (FJ23 Art.22(4))")
        INACTIVE_2Y = "inactive_2y", _("No assessment for two years (FJ23 Art.23(7))")
        RECTIFICATION_OVERDUE = "rectification_overdue", _("Rectification overdue (FJ23 Art.22(6), 23(1))")
        FAILED_SUPERVISIONS = "failed_supervisions", _("Three failed external supervisions in a year "
                                                       "(FJ23 Art.23(11))")
        LAX_ELIGIBILITY = "lax_eligibility", _("Lax eligibility checks (ASM-08, FJ23 Art.21(8), 23(3))")

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    state = FSMField(_("state"), default=State.OPEN, choices=State.choices, protected=True)  # case_queue_idx
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="cases")
    filing = models.ForeignKey("institutions.Filing", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="cases")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("office"))
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    detection = models.CharField(_("detection"), max_length=24, choices=Detection.choices, blank=True)
    # idempotence of the sweep: one proposed case per (detection, filing, period); NULL for other cases
    detection_key = models.CharField(max_length=80, null=True, blank=True)  # noqa: DJ001 - NULL: many, under the unique constraint (Meta)
    proposed_tier = models.CharField(_("proposed tier"), max_length=5, choices=Tier.choices, blank=True)
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    batch = models.ForeignKey("assessments.AssessmentBatch", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="cases")
    batch_violation = models.ForeignKey("assessments.BatchViolation", on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="cases")
    escalated_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="escalations")
    summary = models.TextField(_("summary"))
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")  # None: the sweep
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    dismissed_reason = models.TextField(_("why dismissed"), blank=True)
    investigator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    investigation_started_on = models.DateField(null=True, blank=True)
    # the decision: tier, the article and item it applies, who decided
    tier = models.CharField(_("tier"), max_length=5, choices=Tier.choices, blank=True)
    article = models.CharField(_("article and item"), max_length=16, blank=True)  # key of cases.ARTICLES
    decision = models.TextField(_("decision"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    # tier 1
    interview_on = models.DateField(_("interview on"), null=True, blank=True)
    interviewee = models.CharField(_("person interviewed"), max_length=60, blank=True)
    interview_record = models.TextField(_("interview record"), blank=True)
    voided_batch = models.ForeignKey("assessments.AssessmentBatch", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    voided_count = models.PositiveIntegerField(default=0)
    # tier 2
    notice_number = models.CharField(_("rectification notice number"), max_length=24, blank=True)
    rectification_due = models.DateField(_("rectification due"), null=True, blank=True)
    rectification_overdue_on = models.DateField(null=True, blank=True)  # set by the sweep
    rectification_report = models.TextField(_("rectification report"), blank=True)
    rectification_submitted_on = models.DateField(null=True, blank=True)
    verified_on = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    # tier 3
    ban_until = models.DateField(_("banned from filing until"), null=True, blank=True)  # ELIG-11
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("supervision case")
        verbose_name_plural = _("supervision cases")
        indexes = [models.Index(fields=["state", "region"], name="case_queue_idx"),
                   models.Index(fields=["institution", "tier"], name="case_institution_tier_idx")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(state="decided") | ~models.Q(tier=""),
                                   name="case_decided_has_tier"),
            models.CheckConstraint(condition=models.Q(tier="") | models.Q(tier="none") | ~models.Q(article=""),
                                   name="case_tier_names_article"),
            models.UniqueConstraint(fields=["notice_number"], condition=~models.Q(notice_number=""),
                                    name="case_notice_number_unique"),
            # not `unique=True`: its LIKE twin served no query (the sweep proposes tens of thousands at once)
            models.UniqueConstraint(fields=["detection_key"], name="case_detection_key_unique"),
        ]

    def __str__(self) -> str:
        return self.reference

    @transition(field=state, source=State.PROPOSED, target=State.OPEN,
                permission=allowed(*OFFICE_ROLES, check=_office_check), custom={"rule": "SUP-06"})
    def confirm(self, comment: str = ""):
        """Staff confirm what the sweep detected."""

    @transition(field=state, source=[State.PROPOSED, State.OPEN], target=State.DISMISSED,
                permission=allowed(*OFFICE_ROLES, check=_office_check), custom={"rule": "SUP-06"})
    def dismiss(self, reason: str):
        self.dismissed_reason = reason
        self.closed_on = clock.today()

    @transition(field=state, source=State.OPEN, target=State.INVESTIGATING,
                permission=allowed(*OFFICE_ROLES, check=_office_check), custom={"rule": "SUP-06"})
    def investigate(self):
        self.investigation_started_on = clock.today()

    @transition(field=state, source=State.INVESTIGATING, target=State.DECIDED,
                permission=allowed(*OFFICE_ROLES, check=_office_check), custom={"rule": "SUP-06"})
    def decide(self, tier: str, article: str = "", decision: str = ""):
        """The service validates tier and article and applies the sanction in the same transaction."""
        self.tier = tier
        self.article = article
        self.decision = decision
        self.decided_on = clock.today()

    @transition(field=state, source=State.DECIDED, target=State.RECTIFICATION_SUBMITTED,
                permission=allowed("institution", *OFFICE_ROLES), custom={"rule": "SUP-04"})
    def submit_rectification(self, report: str):
        self.rectification_report = report
        self.rectification_submitted_on = clock.today()

    @transition(field=state, source=State.RECTIFICATION_SUBMITTED, target=State.CLOSED,
                permission=allowed(*OFFICE_ROLES, check=_office_check), custom={"rule": "SUP-04"})
    def verify(self, comment: str = ""):
        self.verified_on = clock.today()
        self.closed_on = clock.today()

    @transition(field=state, source=State.RECTIFICATION_SUBMITTED, target=State.DECIDED,
                permission=allowed(*OFFICE_ROLES, check=_office_check), custom={"rule": "SUP-04"})
    def reject_rectification(self, reason: str):
        """The rectification is not sufficient; the case stays decided with the same due date."""

    @transition(field=state, source=[State.DECIDED, State.RECTIFICATION_SUBMITTED], target=State.ESCALATED,
                permission=allowed(*OFFICE_ROLES, check=_office_check), custom={"rule": "SUP-05"})
    def escalate(self, reason: str):
        self.closed_on = clock.today()

    @transition(field=state, source=State.DECIDED, target=State.CLOSED, permission=system_only,
                custom={"rule": "SUP-06"})
    def close(self):
        """Tier none, 1 and 3 decisions close when decided (the service calls this)."""
        self.closed_on = clock.today()


# == validity periods and incentives (INC-01/02) =========================================================
class ValidityPeriod(models.Model):
    """One 3-year validity period of a filing and whether it was clean (INC-01: no Art.21–23 findings)."""

    filing = models.ForeignKey("institutions.Filing", on_delete=models.PROTECT, related_name="validity_periods")
    index = models.PositiveSmallIntegerField(_("period"))  # 1 = first period
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    clean = models.BooleanField(_("clean record"), null=True)  # None until the period is assessed
    findings = models.PositiveIntegerField(_("Art.21–23 findings"), default=0)
    assessed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["filing", "index"]
        verbose_name = _("validity period")
        verbose_name_plural = _("validity periods")
        constraints = [models.UniqueConstraint(fields=["filing", "index"], name="validity_period_unique")]

    def __str__(self) -> str:
        return f"{self.filing_id} #{self.index}"
