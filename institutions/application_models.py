"""备案申请: filing applications and their sections (SC21 附件1–5, AH20 附件1–2), with the workflow of DESIGN.md."""

import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from filing_portal.core import clock
from filing_portal.core.workflow import ConcurrentStates, allowed, guard, system_only

OFFICE_ROLES = ("city_staff", "province_staff")
REVIEW_STATES = ["submitted", "initial_review", "technical_evaluation", "comprehensive_review", "public_notice"]


def in_jurisdiction(application, user) -> bool:
    """JUR-03: the handling office's own staff, or the province's staff for a city-handled filing."""
    region = application.handling_region
    if region is None or user.region_id is None:
        return False
    if user.role == "province_staff":
        return region.pk == user.region_id or region.province_id == user.region_id
    return user.role == "city_staff" and region.pk == user.region_id


def _owner(application, user) -> bool:
    return user.institution_id == application.institution_id


def _anyone(application, user) -> bool:
    return True


def _prefetched(app, relation: str):
    """The rows of `relation` when a list prefetched them, else None (the guard then asks the database).

    Lists compute `available_transitions` per row; reading the prefetch keeps their query count constant.
    """
    return getattr(app, "_prefetched_objects_cache", {}).get(relation)


def _has_open_objection(app) -> bool:
    rows = _prefetched(app, "objections")
    if rows is not None:
        return any(o.status == "open" for o in rows)
    return app.objections.filter(status="open").exists()


@guard(rule="FIL-12", message=_("Both pledges (truthfulness and proper operation) must be signed before submitting."))
def pledges_signed(app) -> bool:
    return app.pledge_truthfulness and app.pledge_operation


@guard(rule="FIL-03", message=_("The one-time supplement notice has already been sent for this application."))
def supplement_not_used(app) -> bool:
    return app.supplement_requested_on is None


@guard(rule="FIL-01", message=_("Record the expert group's passing opinion of the initial review first."))
def initial_review_passed(app) -> bool:
    rows = _prefetched(app, "opinions")
    if rows is not None:
        return any(o.stage == "initial_review" and o.passed for o in rows)
    return app.opinions.filter(stage="initial_review", passed=True).exists()


@guard(rule="FIL-07", message=_("The public notice lasts at least 5 working days and has not ended yet."))
def notice_over(app) -> bool:
    return app.notice_ends_on is not None and clock.today() > app.notice_ends_on


@guard(rule="FIL-07", message=_("An objection is open: resolve it before completing the filing."))
def no_open_objection(app) -> bool:
    return not _has_open_objection(app)


@guard(rule="FIL-07", message=_("There is no open objection to dismiss."))
def has_open_objection(app) -> bool:
    return _has_open_objection(app)


@guard(rule="CHG-02", message=_("Only information changes are approved directly."))
def is_info_change(app) -> bool:
    return app.kind == FilingApplication.Kind.INFO_CHANGE


@guard(rule="CHG-01", message=_("Information changes are approved directly, without the full review."))
def is_full_review(app) -> bool:
    return app.kind != FilingApplication.Kind.INFO_CHANGE


class FilingApplication(ConcurrentStates, models.Model):
    """备案申请: an institution's application to file, to change its scope, or to change its information."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial filing")
        SCOPE_CHANGE = "scope_change", _("Scope or venue change")
        INFO_CHANGE = "info_change", _("Information change")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
        INITIAL_REVIEW = "initial_review", _("Initial review")
        TECHNICAL_EVALUATION = "technical_evaluation", _("Technical evaluation")
        COMPREHENSIVE_REVIEW = "comprehensive_review", _("Comprehensive review")
        PUBLIC_NOTICE = "public_notice", _("Public notice")
        APPROVED = "approved", _("Filed")
        REJECTED = "rejected", _("Not filed")
        TERMINATED = "terminated", _("Terminated")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT,
                                    related_name="applications", verbose_name=_("institution"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INITIAL)
    filing = models.ForeignKey("institutions.Filing", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="change_applications", verbose_name=_("filing changed"))
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    # JUR-01: set at submission from the levels applied for and the affiliation.
    handling_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("handling office"))
    # ELIG-06: province-wide scope
    province_wide = models.BooleanField(_("province-wide service"), default=False)
    years_of_experience = models.PositiveSmallIntegerField(_("consecutive years of training/evaluation"), default=0)
    total_person_times = models.PositiveIntegerField(_("person-times trained/evaluated in total"), default=0)
    subsidised_training = models.BooleanField(_("carries government-subsidised training duties"), default=False)
    implementation_plan = models.TextField(_("implementation plan and quality controls"), blank=True)  # AH20 附件2
    organisation_strengths = models.TextField(_("organisation, staff and experts"), blank=True)
    # ELIG-04: an employer's main business; each occupation states how it relates to it.
    main_business = models.TextField(_("main business (employers)"), blank=True)
    # CHG-03: change materials are due within N WD (profile) before or after the change itself.
    change_date = models.DateField(_("date of the change"), null=True, blank=True)
    change_materials_due = models.DateField(_("change materials due"), null=True, blank=True)
    change_materials_late = models.BooleanField(_("change materials late (CHG-03)"), default=False)
    # CHG-02: proposed new values of an information change {"name": ..., "legal_representative": ...}
    proposed_changes = models.JSONField(_("proposed changes"), default=dict, blank=True)
    # FIL-12: pledges of SC21 附件4 and 附件5, signed by the legal representative
    pledge_truthfulness = models.BooleanField(_("pledge of truthfulness signed"), default=False)
    pledge_operation = models.BooleanField(_("pledge of proper operation signed"), default=False)
    pledged_by = models.CharField(_("signed by"), max_length=50, blank=True)
    pledged_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    # Staff override of CHG-04/CHG-05 with its reason (kept for the audit).
    override_reason = models.TextField(_("override reason"), blank=True)

    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    acceptance_due = models.DateField(_("acceptance due"), null=True, blank=True)  # FIL-02
    supplement_requested_on = models.DateField(_("supplement requested on"), null=True, blank=True)
    supplement_due = models.DateField(_("supplement due"), null=True, blank=True)  # FIL-04
    supplement_items = models.JSONField(_("missing items"), default=list, blank=True)  # FIL-03
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    completion_due = models.DateField(_("completion due"), null=True, blank=True)  # FIL-05
    notice_starts_on = models.DateField(_("public notice from"), null=True, blank=True)
    notice_ends_on = models.DateField(_("public notice until"), null=True, blank=True)  # FIL-07
    due_dates_provisional = models.BooleanField(_("due dates provisional"), default=False)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    reject_reason = models.TextField(_("reasons"), blank=True)  # FIL-06
    termination_reason = models.TextField(_("termination reason"), blank=True)  # FIL-04
    termination_clause = models.CharField(_("clause"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("filing application")
        verbose_name_plural = _("filing applications")
        indexes = [models.Index(fields=["state", "handling_region"], name="application_queue_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.institution_id} · #{self.pk}"

    # -- the workflow (DESIGN.md "Filing application"); side effects live in services ----------------
    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED, conditions=[pledges_signed],
                permission=allowed("institution", check=_owner), custom={"rule": "FIL-12"})
    def submit(self):
        """Dates are set by the service (it knows the calendar and the profile)."""

    @transition(field=state, source=State.SUBMITTED, target=State.SUPPLEMENT_REQUESTED,
                conditions=[supplement_not_used, is_full_review],
                permission=allowed(*OFFICE_ROLES, check=in_jurisdiction), custom={"rule": "FIL-03"})
    def request_supplement(self, items: list[str]):
        self.supplement_items = list(items)

    @transition(field=state, source=State.SUPPLEMENT_REQUESTED, target=State.SUBMITTED,
                permission=allowed("institution", check=_owner), custom={"rule": "FIL-03"})
    def resubmit(self):
        """The institution sends the supplemented materials back."""

    @transition(field=state, source=State.SUPPLEMENT_REQUESTED, target=State.TERMINATED, permission=system_only,
                custom={"rule": "FIL-04"})
    def expire(self, reason: str = "", clause: str = ""):
        self.termination_reason = reason
        self.termination_clause = clause
        self.decided_on = clock.today()

    @transition(field=state, source=State.SUBMITTED, target=State.INITIAL_REVIEW, conditions=[is_full_review],
                permission=allowed(*OFFICE_ROLES, check=in_jurisdiction), custom={"rule": "FIL-02"})
    def accept(self):
        self.accepted_on = clock.today()

    @transition(field=state, source=State.INITIAL_REVIEW, target=State.TECHNICAL_EVALUATION,
                conditions=[initial_review_passed],
                permission=allowed(*OFFICE_ROLES, check=in_jurisdiction), custom={"rule": "FIL-01"})
    def pass_initial_review(self):
        """初审 passed on the expert group's opinion."""

    @transition(field=state, source=State.TECHNICAL_EVALUATION, target=State.COMPREHENSIVE_REVIEW,
                permission=allowed(*OFFICE_ROLES, check=in_jurisdiction), custom={"rule": "FIL-01"})
    def record_evaluation(self, opinion: str = "", expert_name: str = ""):
        """现场技术评估 passed; the service stores the opinion and sets the completion due date (FIL-05)."""

    @transition(field=state, source=State.COMPREHENSIVE_REVIEW, target=State.PUBLIC_NOTICE,
                permission=allowed(*OFFICE_ROLES, check=in_jurisdiction), custom={"rule": "FIL-07"})
    def start_public_notice(self):
        """The service sets the notice period (≥ 5 WD)."""

    @transition(field=state, source=State.PUBLIC_NOTICE, target=State.PUBLIC_NOTICE, permission=_anyone,
                custom={"rule": "FIL-07"})
    def raise_objection(self, content: str = "", contact: str = "", name: str = ""):
        """Anyone may object during the notice; the service records the objection."""

    @transition(field=state, source=State.PUBLIC_NOTICE, target=State.PUBLIC_NOTICE, conditions=[has_open_objection],
                permission=allowed(*OFFICE_ROLES, check=in_jurisdiction), custom={"rule": "FIL-07"})
    def dismiss_objection(self, reason: str, objection_id: int | None = None):
        """Staff dismiss an objection with reasons (the service marks it)."""

    @transition(field=state, source=State.PUBLIC_NOTICE, target=State.APPROVED,
                conditions=[notice_over, no_open_objection],
                permission=allowed(*OFFICE_ROLES, check=in_jurisdiction), custom={"rule": "FIL-07"})
    def complete_notice(self):
        self.decided_on = clock.today()

    @transition(field=state, source=State.SUBMITTED, target=State.APPROVED, conditions=[is_info_change],
                permission=allowed(*OFFICE_ROLES, check=in_jurisdiction), custom={"rule": "CHG-02"})
    def approve_change(self):
        self.decided_on = clock.today()

    @transition(field=state, source=REVIEW_STATES, target=State.REJECTED,
                permission=allowed(*OFFICE_ROLES, check=in_jurisdiction), custom={"rule": "FIL-06"})
    def reject(self, reason: str):
        self.reject_reason = reason
        self.decided_on = clock.today()

    @transition(field=state, source=[State.DRAFT, State.SUBMITTED, State.SUPPLEMENT_REQUESTED],
                target=State.WITHDRAWN, permission=allowed("institution", check=_owner), custom={"rule": "FIL-01"})
    def withdraw(self):
        self.decided_on = clock.today()


class ApplicationOccupation(models.Model):
    """One occupation (work type) applied for, with its levels and own assessors (SC21 附件1, AH20 附件1)."""

    application = models.ForeignKey(FilingApplication, on_delete=models.CASCADE, related_name="occupations")
    occupation = models.ForeignKey("institutions.Occupation", on_delete=models.PROTECT, related_name="+")
    work_type = models.CharField(_("work type"), max_length=100, blank=True)
    levels = models.JSONField(_("levels"), default=list)  # e.g. [3, 4, 5]; 1 = 高级技师 … 5 = 初级工
    own_assessors = models.PositiveSmallIntegerField(_("own assessors"), default=0)
    experience_years = models.PositiveSmallIntegerField(_("years of training/evaluation in it"), default=0)
    person_times = models.PositiveIntegerField(_("person-times evaluated in it"), default=0)  # ELIG-06
    # ELIG-05: technician levels need prior evaluation of senior worker or above in it (or a related one).
    prior_senior_evaluation = models.BooleanField(_("has evaluated senior worker (level 3) or above"), default=False)
    # ELIG-04: how an employer's occupation relates directly to its main business.
    business_relation = models.TextField(_("relation to the main business (employers)"), blank=True)

    class Meta:
        verbose_name = _("occupation applied for")
        verbose_name_plural = _("occupations applied for")
        constraints = [models.UniqueConstraint(fields=["application", "occupation", "work_type"],
                                               name="application_occupation_unique")]

    def __str__(self) -> str:
        return f"{self.occupation_id} {self.work_type}"


class Venue(models.Model):
    """鉴定场地: theory rooms, practical sites, inspection sites (SC21 附件1; ELIG-10)."""

    class Kind(models.TextChoices):
        THEORY = "theory", _("Theory examination rooms")
        PRACTICAL = "practical", _("Practical assessment site")
        INSPECTION = "inspection", _("Inspection site")
        OFFICE = "office", _("Office and archives")

    class Tenure(models.TextChoices):
        OWNED = "owned", _("Owned")
        LEASED = "leased", _("Leased (long-term)")
        TEMPORARY = "temporary", _("Temporary rental")

    application = models.ForeignKey(FilingApplication, on_delete=models.CASCADE, related_name="venues")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=200)
    room_count = models.PositiveSmallIntegerField(_("number of rooms/sites"), default=1)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=9, decimal_places=1,
                                  validators=[MinValueValidator(0)])
    tenure = models.CharField(_("ownership"), max_length=9, choices=Tenure.choices)
    lease_until = models.DateField(_("lease until"), null=True, blank=True)
    is_college_venue = models.BooleanField(_("on a college campus"), default=False)
    occupation_codes = models.JSONField(_("occupations assessed here"), default=list)
    video_surveillance = models.BooleanField(_("video surveillance installed"), default=False)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.address}"

    @property
    def address_key(self) -> str:
        """Whitespace- and punctuation-insensitive address, to find one venue filed twice (ELIG-10)."""
        return "".join(ch for ch in self.address if ch.isalnum())


class Equipment(models.Model):
    """设备: name, model/specification, unit, quantity (SC21 附件1)."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="equipment")
    name = models.CharField(_("equipment"), max_length=100)
    model = models.CharField(_("model/specification"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=10, default="台")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")

    def __str__(self) -> str:
        return self.name


class StaffMember(models.Model):
    """管理人员名册 (SC21 附件2)."""

    class Post(models.TextChoices):
        HEAD = "head", _("Head")
        DEPUTY = "deputy", _("Deputy head")
        OFFICE = "office", _("Office director")
        CONTACT = "contact", _("Business contact")
        STAFF = "staff", _("Main staff")
        FINANCE = "finance", _("Finance")

    application = models.ForeignKey(FilingApplication, on_delete=models.CASCADE, related_name="staff")
    post = models.CharField(_("post"), max_length=8, choices=Post.choices)
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=[("M", _("male")), ("F", _("female"))])
    age = models.PositiveSmallIntegerField(_("age"), validators=[MinValueValidator(16), MaxValueValidator(90)])
    qualification = models.CharField(_("vocational qualification"), max_length=100, blank=True)
    education = models.CharField(_("education"), max_length=50, blank=True)
    professional_title = models.CharField(_("professional title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30)
    full_time = models.BooleanField(_("full-time"), default=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff roster")

    def __str__(self) -> str:
        return self.name


class Assessor(models.Model):
    """自有考评员和质量督导员名册 (SC21 附件3). ASM-03 keeps the two roles apart."""

    class Role(models.TextChoices):
        ASSESSOR = "assessor", _("Assessor")
        SUPERVISOR = "supervisor", _("Quality supervisor")

    application = models.ForeignKey(FilingApplication, on_delete=models.CASCADE, related_name="assessors")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=[("M", _("male")), ("F", _("female"))])
    age = models.PositiveSmallIntegerField(_("age"), validators=[MinValueValidator(18), MaxValueValidator(90)])
    education = models.CharField(_("education"), max_length=50, blank=True)
    position = models.CharField(_("position"), max_length=50, blank=True)
    professional_title = models.CharField(_("professional title / qualification"), max_length=100, blank=True)
    occupation_code = models.CharField(_("occupation assessed"), max_length=16, blank=True)
    qualified_on = models.DateField(_("qualified as assessor on"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30)

    class Meta:
        verbose_name = _("assessor or supervisor")
        verbose_name_plural = _("assessors and supervisors")

    def __str__(self) -> str:
        return self.name


def attachment_path(instance, filename: str) -> str:
    return f"applications/{instance.application_id}/{timezone.now():%Y%m%d%H%M%S}-{instance.sha256[:12]}"


class Attachment(models.Model):
    """附件: PDF/JPG/PNG ≤ 10 MB, type checked by content; kept, never deleted (REC-02)."""

    class Kind(models.TextChoices):
        LEGAL_PERSON_CERTIFICATE = "legal_person", _("Legal person registration certificate")
        IMPLEMENTATION_PLAN = "plan", _("Implementation plan")
        RULES = "rules", _("Management rules")
        EMERGENCY_PLAN = "emergency", _("Emergency plans")
        VENUE_PROOF = "venue_proof", _("Venue ownership or lease")
        EQUIPMENT_LIST = "equipment", _("Fixed assets and equipment list")
        EXPERT_PROOF = "experts", _("Experts' skill certificates")
        CREDIT_REPORT = "credit", _("Credit report or integrity pledge")
        INCENTIVE_SCHEME = "incentive", _("Incentive scheme linking level to pay (employers)")  # ELIG-08
        ASSOCIATION_RATING = "rating", _("Civil-affairs rating certificate")  # ELIG-09
        APPROVAL_LETTER = "approval", _("Approval letter of the competent department")
        SUPPLEMENT = "supplement", _("Supplementary material")
        OTHER = "other", _("Other")

    application = models.ForeignKey(FilingApplication, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


class ExpertOpinion(models.Model):
    """专家意见: the expert group's opinion at initial review or technical evaluation (FIL-01)."""

    class Stage(models.TextChoices):
        INITIAL_REVIEW = "initial_review", _("Initial review")
        TECHNICAL_EVALUATION = "technical_evaluation", _("On-site technical evaluation")

    application = models.ForeignKey(FilingApplication, on_delete=models.PROTECT, related_name="opinions")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    expert_names = models.CharField(_("expert group"), max_length=200)
    opinion = models.TextField(_("opinion"))
    passed = models.BooleanField(_("passed"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at"]
        verbose_name = _("expert opinion")
        verbose_name_plural = _("expert opinions")

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {'pass' if self.passed else 'fail'}"


class Objection(models.Model):
    """公示异议: anyone may object during the public notice (FIL-07); open ones block completion."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DISMISSED = "dismissed", _("Dismissed")
        UPHELD = "upheld", _("Upheld")

    application = models.ForeignKey(FilingApplication, on_delete=models.PROTECT, related_name="objections")
    name = models.CharField(_("name"), max_length=50, blank=True)
    contact = models.CharField(_("contact (phone or e-mail)"), max_length=100)
    content = models.TextField(_("objection"))
    status = models.CharField(_("status"), max_length=9, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"
