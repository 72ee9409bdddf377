"""Assessment batches (评价计划 / 认定批次), their staff, candidates and results (ASM-01…08)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from filing_portal.core import clock
from filing_portal.core.workflow import ConcurrentStates, allowed, guard
from filing_portal.personal_data import EncryptedCharField, HmacIndexField, IdType

LEVELS = [(1, _("Level 1 / Senior technician")), (2, _("Level 2 / Technician")), (3, _("Level 3 / Senior worker")),
          (4, _("Level 4 / Intermediate worker")), (5, _("Level 5 / Junior worker"))]


def _owner(batch, user) -> bool:
    return user.institution_id == batch.institution_id


def batch_in_jurisdiction(batch, user) -> bool:
    """JUR-03/04: the city office the plan is filed with, its province, and the province for copied plans."""
    region = batch.handling_region
    if user.region_id is None or region is None:
        return False
    if user.role == "province_staff":
        return region.pk == user.region_id or region.province_id == user.region_id
    return user.role == "city_staff" and region.pk == user.region_id


@guard(rule="REN-02", message=_("Only an active filing may plan, report results or issue certificates "
                                 "(suspended, expired, lapsed, revoked or terminated filings may not)."))
def filing_active(batch) -> bool:
    filing = batch.filing
    return filing.state == "active" and filing.expires_on >= clock.today()


@guard(rule="ASM-01", message=_("The plan must be filed at least 10 working days before the exam."))
def lead_time_kept(batch) -> bool:
    from filing_portal.regions.jurisdiction import profile_for
    from filing_portal.workdays.calendar import working_days_between

    lead = profile_for(batch.handling_region).plan_lead_wd
    return batch.exam_start is not None and working_days_between(clock.today(), batch.exam_start) >= lead


@guard(rule="ASM-02", message=_("The plan needs at least one occupation and level, all inside the filing's scope."))
def items_in_scope(batch) -> bool:
    items = list(batch.items.all())
    if not items:
        return False
    # A scope row with a work type covers that work type only; one without covers the whole occupation.
    scope = set(batch.filing.scope.filter(active=True).values_list("occupation_id", "work_type", "level"))
    return all((i.occupation_id, i.work_type, i.level) in scope or (i.occupation_id, "", i.level) in scope
               for i in items)


@guard(rule="ELIG-10", message=_("The venue must be one of the venues the filing was filed with."))
def venue_filed(batch) -> bool:
    from .selectors import filed_venues, venue_key

    return venue_key(batch.venue_address) in {venue_key(v) for v in filed_venues(batch.filing)}


@guard(rule="ASM-03", message=_("Invigilators may not be training staff, and one person holds one role per batch; "
                                 "name at least one invigilator, assessor and quality supervisor."))
def staff_valid(batch) -> bool:
    people = list(batch.staff.all())
    roles = {p.role for p in people}
    if not {"invigilator", "assessor", "supervisor"} <= roles:
        return False
    if any(p.role == "invigilator" and p.is_trainer for p in people):
        return False
    keys = [p.person_key for p in people]
    return len(keys) == len(set(keys))


@guard(rule="ASM-01", message=_("The exam has not started yet."))
def exam_started(batch) -> bool:
    return batch.exam_start is not None and clock.today() >= batch.exam_start


@guard(rule="ASM-07", message=_("Every candidate needs a result, assessed in the same subjects, before publication."))
def results_complete(batch) -> bool:
    total, resulted = getattr(batch, "candidate_count", None), getattr(batch, "resulted_count", None)
    if total is not None and resulted is not None:  # a list's annotations (selectors.with_counts)
        return total > 0 and resulted == total
    candidates = list(batch.candidates.all())
    return bool(candidates) and all(c.result in ("pass", "fail") for c in candidates)


@guard(rule="ASM-05", message=_("Results are public for at least 7 days; the publication has not ended."))
def publication_over(batch) -> bool:
    return batch.publish_until is not None and clock.today() > batch.publish_until


@guard(rule="ASM-05", message=_("An objection to the results is open."))
def no_open_result_objection(batch) -> bool:
    if getattr(batch, "open_objection_count", None) is not None:  # a list's annotation (selectors.with_counts)
        return batch.open_objection_count == 0
    return not batch.result_objections.filter(status="open").exists()


def waiting_first() -> models.Case:
    """0 for a plan waiting for approval, 1 for the rest: the first key of the staff queue and its index."""
    return models.Case(models.When(state="submitted", then=models.Value(0)), default=models.Value(1),
                       output_field=models.IntegerField())


class AssessmentBatch(ConcurrentStates, models.Model):
    """评价计划: one assessment batch of a filed institution, from plan to certificates (DESIGN.md)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        SCHEDULED = "scheduled", _("Scheduled")
        CONDUCTED = "conducted", _("Conducted")
        RESULTS_PUBLISHED = "results_published", _("Results published")
        RESULTS_REPORTED = "results_reported", _("Results reported")
        CERTIFICATES_ISSUED = "certificates_issued", _("Certificates issued")
        CANCELLED = "cancelled", _("Cancelled")

    class Method(models.TextChoices):
        EXAM = "exam", _("Examination")
        REVIEW = "review", _("Performance review")

    class SupervisionMode(models.TextChoices):
        EVERY_EXAM = "every_exam", _("External supervision of every exam")  # ASM-04 逢考必督
        RANDOM = "random", _("Random supervision")  # INC-02

    plan_number = models.CharField(_("plan number"), max_length=24, unique=True)
    filing = models.ForeignKey("institutions.Filing", on_delete=models.PROTECT, related_name="batches")
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="batches")
    handling_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("filed with"))
    copied_to_province = models.BooleanField(_("copied to the province"), default=False)  # JUR-04
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    exam_start = models.DateField(_("exam from"))
    exam_end = models.DateField(_("exam until"))
    venue_address = models.CharField(_("venue"), max_length=200)
    theory = models.BooleanField(_("theory examination"), default=True)
    practical = models.BooleanField(_("practical assessment"), default=True)
    comprehensive = models.BooleanField(_("comprehensive review"), default=False)
    method = models.CharField(_("method"), max_length=6, choices=Method.choices, default=Method.EXAM)
    candidate_source = models.CharField(_("candidate source"), max_length=100)
    planned_count = models.PositiveIntegerField(_("planned candidates"))
    supervision_mode = models.CharField(_("supervision"), max_length=10, choices=SupervisionMode.choices,
                                        default=SupervisionMode.EVERY_EXAM)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark"), default=60)
    submitted_on = models.DateField(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    return_comment = models.TextField(_("returned with comments"), blank=True)
    conducted_on = models.DateField(null=True, blank=True)
    publish_from = models.DateField(_("results public from"), null=True, blank=True)
    publish_until = models.DateField(_("results public until"), null=True, blank=True)  # ASM-05 ≥ 7 days
    report_due = models.DateField(_("report due"), null=True, blank=True)  # ASM-05 10 WD
    reported_on = models.DateField(null=True, blank=True)
    # ASM-05: set by the deadline sweep the first day the report is late (stays as the record of lateness).
    report_overdue_on = models.DateField(_("report flagged overdue on"), null=True, blank=True)
    certificates_issued_on = models.DateField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-exam_start", "-pk"]
        verbose_name = _("assessment batch")
        verbose_name_plural = _("assessment batches")
        constraints = [
            models.CheckConstraint(condition=models.Q(exam_end__gte=models.F("exam_start")), name="batch_dates_ordered"),
            models.CheckConstraint(condition=models.Q(theory=True) | models.Q(practical=True)
                                   | models.Q(comprehensive=True), name="batch_has_a_subject"),
        ]
        indexes = [
            models.Index(fields=["state", "handling_region"], name="batch_queue_idx"),
            # The staff queue's order (selectors.batch_queue): a page of 50 reads about 50 index entries
            # instead of sorting a province's 36,000 plans (230 ms -> 2 ms, docs/PERFORMANCE.md).
            models.Index(waiting_first(), models.F("exam_start"), models.F("id"), name="batch_queue_order_idx"),
            # The API list's order (-exam_start, -pk), read backwards.
            models.Index(fields=["exam_start", "id"], name="batch_exam_order_idx"),
        ]

    def __str__(self) -> str:
        return self.plan_number

    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED,
                conditions=[filing_active, items_in_scope, venue_filed, staff_valid, lead_time_kept],
                permission=allowed("institution", check=_owner), custom={"rule": "ASM-01"})
    def submit(self):
        self.submitted_on = clock.today()

    @transition(field=state, source=State.SUBMITTED, target=State.SCHEDULED, conditions=[filing_active],
                permission=allowed("city_staff", "province_staff", check=batch_in_jurisdiction),
                custom={"rule": "ASM-01"})
    def approve(self):
        self.approved_on = clock.today()
        # ASM-04 / INC-02: every exam is externally supervised unless the filing earned random supervision.
        self.supervision_mode = self.filing.supervision_mode

    @transition(field=state, source=State.SUBMITTED, target=State.DRAFT,
                permission=allowed("city_staff", "province_staff", check=batch_in_jurisdiction),
                custom={"rule": "ASM-01"})
    def return_for_changes(self, reason: str):
        self.return_comment = reason

    @transition(field=state, source=State.SCHEDULED, target=State.CONDUCTED, conditions=[exam_started],
                permission=allowed("institution", check=_owner), custom={"rule": "ASM-01"})
    def conduct(self):
        self.conducted_on = clock.today()

    @transition(field=state, source=State.CONDUCTED, target=State.RESULTS_PUBLISHED,
                conditions=[filing_active, results_complete],
                permission=allowed("institution", check=_owner), custom={"rule": "ASM-05"})
    def publish_results(self):
        """The service sets the 7-day publication and the report due date."""

    @transition(field=state, source=State.RESULTS_PUBLISHED, target=State.RESULTS_REPORTED,
                conditions=[filing_active, publication_over, no_open_result_objection],
                permission=allowed("institution", check=_owner), custom={"rule": "ASM-05"})
    def report_results(self):
        self.reported_on = clock.today()

    @transition(field=state, source=State.RESULTS_REPORTED, target=State.CERTIFICATES_ISSUED,
                conditions=[filing_active], permission=allowed("institution", check=_owner),
                custom={"rule": "ASM-06"})
    def issue_certificates(self):
        self.certificates_issued_on = clock.today()

    @transition(field=state, source=[State.DRAFT, State.SUBMITTED, State.SCHEDULED], target=State.CANCELLED,
                permission=allowed("institution", "city_staff", "province_staff",
                                   check=lambda b, u: _owner(b, u) or batch_in_jurisdiction(b, u)),
                custom={"rule": "ASM-01"})
    def cancel(self, reason: str):
        self.cancel_reason = reason


class BatchItem(models.Model):
    """One occupation (work type) and level of the plan; inside the filing's scope (ASM-02)."""

    batch = models.ForeignKey(AssessmentBatch, on_delete=models.CASCADE, related_name="items")
    occupation = models.ForeignKey("institutions.Occupation", on_delete=models.PROTECT, related_name="+")
    work_type = models.CharField(_("work type"), max_length=100, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=LEVELS)

    class Meta:
        verbose_name = _("planned occupation and level")
        verbose_name_plural = _("planned occupations and levels")
        constraints = [models.UniqueConstraint(fields=["batch", "occupation", "work_type", "level"],
                                               name="batch_item_unique")]

    def __str__(self) -> str:
        return f"{self.occupation_id}/{self.work_type}/L{self.level}"


class BatchStaff(models.Model):
    """监考、考评、督导人员 of a batch (ASM-01, ASM-03)."""

    class Role(models.TextChoices):
        INVIGILATOR = "invigilator", _("Invigilator")
        ASSESSOR = "assessor", _("Assessor")
        SUPERVISOR = "supervisor", _("Internal quality supervisor")

    batch = models.ForeignKey(AssessmentBatch, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(_("role"), max_length=11, choices=Role.choices)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    is_trainer = models.BooleanField(_("trains the candidates"), default=False)

    class Meta:
        verbose_name = _("batch staff member")
        verbose_name_plural = _("batch staff")

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    @property
    def person_key(self) -> str:
        return f"{''.join(self.name.split())}|{''.join(ch for ch in self.phone if ch.isdigit())}"


class Candidate(models.Model):
    """考生: a person assessed in a batch, with the personal data of DESIGN.md ("Personal data")."""

    class Result(models.TextChoices):
        PENDING = "pending", _("Pending")
        PASS = "pass", _("Passed")
        FAIL = "fail", _("Failed")

    class Eligibility(models.TextChoices):
        UNCHECKED = "unchecked", _("Not reviewed")
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Not eligible")

    batch = models.ForeignKey(AssessmentBatch, on_delete=models.PROTECT, related_name="candidates")
    name = models.CharField(_("name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=1, choices=[("M", _("male")), ("F", _("female"))])
    id_type = models.CharField(_("ID type"), max_length=3, choices=IdType.choices)
    id_number = EncryptedCharField(_("ID number"))
    id_number_hash = HmacIndexField(source="id_number")
    employer = models.CharField(_("employing unit"), max_length=200, blank=True)
    city = models.CharField(_("candidate's city"), max_length=50, blank=True)
    occupation = models.ForeignKey("institutions.Occupation", on_delete=models.PROTECT, related_name="+")
    work_type = models.CharField(_("work type"), max_length=100, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=LEVELS)
    photo = models.ImageField(_("photo"), upload_to="candidates/%Y/", blank=True)
    theory_score = models.DecimalField(_("theory"), max_digits=5, decimal_places=1, null=True, blank=True,
                                       validators=[MinValueValidator(0), MaxValueValidator(100)])
    practical_score = models.DecimalField(_("practical"), max_digits=5, decimal_places=1, null=True, blank=True,
                                          validators=[MinValueValidator(0), MaxValueValidator(100)])
    review_score = models.DecimalField(_("comprehensive review"), max_digits=5, decimal_places=1, null=True,
                                       blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)])
    result = models.CharField(_("result"), max_length=7, choices=Result.choices, default=Result.PENDING)
    already_certified = models.BooleanField(_("already holds this certificate"), default=False)
    # ASM-08: what the portal's own check found when the candidate was added (blank = nothing to check) …
    eligibility_flags = models.TextField(_("eligibility check findings"), blank=True)
    # … the institution's review of the candidate's eligibility …
    eligibility = models.CharField(_("eligibility review"), max_length=10, choices=Eligibility.choices,
                                   default=Eligibility.UNCHECKED)
    eligibility_note = models.TextField(_("eligibility review note"), blank=True)
    eligibility_reviewed_on = models.DateField(_("eligibility reviewed on"), null=True, blank=True)
    # … and the office's finding on a spot check that the candidate was not eligible after all.
    found_ineligible = models.BooleanField(_("found ineligible by the office"), default=False)
    found_ineligible_note = models.TextField(_("office's finding"), blank=True)
    certificate = models.OneToOneField("certificates.Certificate", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="candidate")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["batch", "id_number_hash", "occupation", "level"],
                                    name="candidate_unique_in_batch"),
        ]

    def __str__(self) -> str:
        return self.name  # never the ID number: str() reaches logs and the audit trail


class ResultObjection(models.Model):
    """结果公示异议: anyone may object to published results (ASM-05)."""

    batch = models.ForeignKey(AssessmentBatch, on_delete=models.PROTECT, related_name="result_objections")
    contact = models.CharField(_("contact"), max_length=100)
    content = models.TextField(_("objection"))
    status = models.CharField(_("status"), max_length=9, default="open",
                              choices=[("open", _("Open")), ("dismissed", _("Dismissed")), ("upheld", _("Upheld"))])
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("result objection")
        verbose_name_plural = _("result objections")

    def __str__(self) -> str:
        return f"#{self.pk}"


class SpotCheck(models.Model):
    """督导抽查: an office supervisor's record of a key step of a batch (ASM-04)."""

    batch = models.ForeignKey(AssessmentBatch, on_delete=models.PROTECT, related_name="spot_checks")
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField(_("checked on"))
    step = models.CharField(_("step checked"), max_length=100)
    findings = models.TextField(_("findings"))
    compliant = models.BooleanField(_("compliant"), default=True)

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")

    def __str__(self) -> str:
        return f"{self.batch_id} {self.checked_on}"


class BatchViolation(models.Model):
    """违规记录: a violation found on a batch (ASM-08 lax eligibility checking), for the supervision app to act on."""

    batch = models.ForeignKey(AssessmentBatch, on_delete=models.PROTECT, related_name="violations")
    rule = models.CharField(_("rule"), max_length=10)
    recorded_on = models.DateField(_("recorded on"))
    detail = models.TextField(_("detail"))
    ineligible_count = models.PositiveIntegerField(_("candidates found ineligible"), default=0)
    assessed_count = models.PositiveIntegerField(_("candidates assessed"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")

    class Meta:
        ordering = ["-recorded_on", "-pk"]
        verbose_name = _("batch violation")
        verbose_name_plural = _("batch violations")
        constraints = [models.UniqueConstraint(fields=["batch", "rule"], name="batch_violation_once_per_rule")]

    def __str__(self) -> str:
        return f"{self.rule} {self.batch_id}"
