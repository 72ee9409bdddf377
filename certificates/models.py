"""Numbers and certificates (AH20 附件3): filing numbers, certificate numbers, the certificates themselves.

This app sits just above the kernel: it imports no other app and points up only by
string foreign keys.
"""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from filing_portal.core.workflow import ConcurrentStates, allowed
from filing_portal.personal_data import EncryptedCharField, HmacIndexField, IdType

LEVEL_LABELS = {
    # NUM-06: level code → 等级
    1: _("Level 1 / Senior technician"),
    2: _("Level 2 / Technician"),
    3: _("Level 3 / Senior worker"),
    4: _("Level 4 / Intermediate worker"),
    5: _("Level 5 / Junior worker"),
}


class Level(models.IntegerChoices):
    """NUM-06 level codes: 1 = 一级/高级技师 … 5 = 五级/初级工."""

    SENIOR_TECHNICIAN = 1, LEVEL_LABELS[1]
    TECHNICIAN = 2, LEVEL_LABELS[2]
    SENIOR_WORKER = 3, LEVEL_LABELS[3]
    INTERMEDIATE_WORKER = 4, LEVEL_LABELS[4]
    JUNIOR_WORKER = 5, LEVEL_LABELS[5]


class NumberCounter(models.Model):
    """编号计数器: the last serial handed out in one numbering scope.

    Scopes: ``F<province><city>`` for filing numbers (NUM-02) and
    ``C<filing number><YY><level>`` for certificate numbers (NUM-07). The row is
    locked (SELECT … FOR UPDATE) while a service reserves serials, and the reserve
    commits or rolls back together with the numbers it hands out: no duplicate, no gap.
    """

    scope = models.CharField(max_length=32, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")

    def __str__(self) -> str:
        return f"{self.scope}: {self.last}"


def _staff_or_admin(instance, user) -> bool:
    return user.role in ("province_staff", "admin") or (
        user.role == "city_staff" and user.region_id is not None
        and user.region.filing_city_code == instance.city_code
        and user.region.province_code == instance.province_code
    )


class FilingNumber(ConcurrentStates, models.Model):
    """机构备案号 (NUM-01): 13 characters, never given twice; retired numbers stay for lookup (NUM-03)."""

    class Kind(models.TextChoices):
        EMPLOYER = "Y", _("Employer (Y)")
        SOCIAL = "S", _("Social training evaluation organisation (S)")

    class RetiredReason(models.TextChoices):
        CANCELLED = "cancelled", _("cancelled")
        TERMINATED = "terminated", _("terminated")
        REVOKED = "revoked", _("revoked")
        LAPSED = "lapsed", _("lapsed")
        MERGED = "merged", _("merged into a new institution")
        ABSORBED = "absorbed", _("absorbed by another institution")

    number = models.CharField(_("filing number"), max_length=13, unique=True)
    kind = models.CharField(_("kind"), max_length=1, choices=Kind.choices)
    institution_code = models.CharField(_("institution code"), max_length=4)
    province_code = models.CharField(_("province code"), max_length=2)
    city_code = models.CharField(_("city code"), max_length=2)
    serial = models.PositiveSmallIntegerField(_("serial"))
    holder_name = models.CharField(_("institution name at allocation"), max_length=200, blank=True)
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, null=True, blank=True, related_name="filing_numbers",
    )
    status = FSMField(_("status"), default="active", protected=True,
                      choices=[("active", _("in use")), ("retired", _("retired"))])
    retired_reason = models.CharField(_("retired because"), max_length=12, choices=RetiredReason.choices, blank=True)
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    successor = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="predecessors",
        verbose_name=_("merged into / absorbed by"),
    )
    allocated_at = models.DateTimeField(_("allocated at"), auto_now_add=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("filing number")
        verbose_name_plural = _("filing numbers")
        constraints = [
            models.UniqueConstraint(fields=["province_code", "city_code", "serial"], name="filing_number_serial_unique"),
            models.CheckConstraint(condition=models.Q(serial__gte=1, serial__lte=9999), name="filing_number_serial_range"),
            models.CheckConstraint(condition=models.Q(number__length=13), name="filing_number_length"),
            models.CheckConstraint(
                condition=(models.Q(status="active", retired_on__isnull=True, retired_reason="")
                           | models.Q(status="retired", retired_on__isnull=False) & ~models.Q(retired_reason="")),
                name="filing_number_retired_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @transition(field=status, source="active", target="retired",
                permission=allowed("province_staff", "city_staff", "admin", check=_staff_or_admin),
                custom={"rule": "NUM-03"})
    def retire(self, reason: str, on, successor=None):
        """NUM-03/04: the number goes to the retired pool, kept for lookup and never reused."""
        self.retired_reason = reason
        self.retired_on = on
        self.successor = successor


def _may_void(instance, user) -> bool:
    if user.role in ("admin",):
        return True
    if user.region_id is None:
        return False
    region = user.region
    if user.role == "province_staff":
        return region.province_code == instance.province_code
    if user.role == "city_staff":
        return region.province_code == instance.province_code and region.filing_city_code == instance.city_code
    return False


class Certificate(ConcurrentStates, models.Model):
    """职业技能等级证书: a legal document, so it keeps a snapshot of everything printed on it (CERT-04)."""

    # Unique by a constraint (Meta), not `unique=True`: that would add a second, varchar_pattern_ops index that
    # no query uses (numbers are looked up whole). A million-row table pays for every index on each insert.
    number = models.CharField(_("certificate number"), max_length=22)  # varchar: see NUM-05 note
    # Found through certificate_serial_unique, whose first column it is.
    filing_number = models.CharField(_("filing number"), max_length=13)
    # The filing record it was issued under (a string FK: certificates sits below institutions).
    filing = models.ForeignKey("institutions.Filing", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="certificates", verbose_name=_("filing"))
    batch = models.ForeignKey("assessments.AssessmentBatch", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="certificates", verbose_name=_("assessment batch"))
    # Copied from the filing number (positions 6–9) so staff jurisdiction (JUR-03) filters on an index.
    province_code = models.CharField(_("province code"), max_length=2)
    city_code = models.CharField(_("city code"), max_length=2)
    issue_year = models.PositiveSmallIntegerField(_("issue year (YY)"))
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    serial = models.PositiveIntegerField(_("serial"))
    holder_name = models.CharField(_("holder name"), max_length=100)  # indexes in Meta
    id_type = models.CharField(_("ID type"), max_length=3, choices=IdType.choices)
    id_number = EncryptedCharField(_("ID number"))
    id_number_hash = HmacIndexField(source="id_number", db_index=False)  # indexed in Meta (exact match only)
    photo = models.ImageField(_("photo"), upload_to="certificates/photos/%Y/", blank=True)
    employer = models.CharField(_("employing unit"), max_length=200, blank=True)
    occupation_code = models.CharField(
        _("occupation code"), max_length=16,
        validators=[RegexValidator(r"^\d-\d{2}-\d{2}-\d{2}(-\d{2})?$", _("Occupation codes look like 4-12-01-01."))],
    )
    occupation_name = models.CharField(_("occupation"), max_length=100)
    work_type = models.CharField(_("work type"), max_length=100, blank=True)
    issue_date = models.DateField(_("issue date"))
    institution_name = models.CharField(_("issuing institution"), max_length=200)
    status = FSMField(_("status"), default="valid", protected=True,
                      choices=[("valid", _("valid")), ("voided", _("voided"))])
    void_reason = models.TextField(_("void reason"), blank=True)
    voided_on = models.DateField(_("voided on"), null=True, blank=True)
    # Uploaded to the national lookup (ASM-06): a NationalUpload row, not a column here (see that model).
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(fields=["number"], name="certificate_number_unique"),
            models.UniqueConstraint(fields=["filing_number", "issue_year", "level", "serial"],
                                    name="certificate_serial_unique"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="certificate_level_range"),
            models.CheckConstraint(condition=models.Q(serial__gte=1, serial__lte=999999),
                                   name="certificate_serial_range"),
            models.CheckConstraint(condition=models.Q(number__length=22), name="certificate_number_length"),
            models.CheckConstraint(
                condition=models.Q(status="valid", voided_on__isnull=True)
                | models.Q(status="voided", voided_on__isnull=False) & ~models.Q(void_reason=""),
                name="certificate_void_consistent",
            ),
        ]
        # Each index once (issue 8): equality on the holder's name is served by certificate_holder_idx, and
        # only the register's name search (holder_name__startswith) needs the pattern index.
        indexes = [
            models.Index(fields=["holder_name", "id_number_hash"], name="certificate_holder_idx"),
            models.Index(fields=["holder_name"], name="certificate_holder_prefix_idx",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["id_number_hash"], name="certificate_id_hash_idx"),
            models.Index(fields=["province_code", "city_code", "issue_date"], name="certificate_region_idx"),
        ]

    def __str__(self) -> str:
        # The number only: str() ends up in audit events and logs, which must not carry personal data.
        return self.number

    @property
    def work_type_display(self) -> str:
        return self.work_type or "——"  # CERT-04

    @property
    def uploaded_at(self):
        """When the certificate was first uploaded to the national lookup (ASM-06), or None. Lists read it
        with `select_related("national_upload")`; without it, one query per certificate."""
        try:
            return self.national_upload.uploaded_at
        except NationalUpload.DoesNotExist:
            return None

    @property
    def uploaded_to_national(self) -> bool:
        return self.uploaded_at is not None

    @transition(field=status, source="valid", target="voided",
                permission=allowed("province_staff", "city_staff", "admin", check=_may_void),
                custom={"rule": "NUM-07"})
    def void(self, reason: str, on=None):
        """A voided certificate keeps its number, with reason and date (NUM-07)."""
        from django.utils import timezone

        self.void_reason = reason
        self.voided_on = on or timezone.localdate()


class NationalUpload(models.Model):
    """ASM-06: the certificate went to the national lookup in the certificate info file (附件5), at `uploaded_at`.

    Its own narrow table rather than two columns of the certificate: marking an export of 100,000 certificates
    then writes 100,000 rows of two columns, where updating the certificates rewrote 100,000 wide rows and
    every entry of their nine indexes (an update that changes every row of a page cannot stay on the page):
    32 s for 100,000 certificates not in memory, against 0.4 s here (docs/PERFORMANCE.md). A row is written
    once and never changed: exporting a certificate again keeps its first upload time.
    """

    certificate = models.OneToOneField(Certificate, on_delete=models.PROTECT, primary_key=True,
                                       related_name="national_upload", verbose_name=_("certificate"))
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        db_table = "certificates_nationalupload"  # named in certificates.services' INSERT … SELECT
        verbose_name = _("upload to the national lookup")
        verbose_name_plural = _("uploads to the national lookup")

    def __str__(self) -> str:
        return f"{self.certificate_id} @ {self.uploaded_at:%Y-%m-%d %H:%M}"


class PdfJob(models.Model):
    """批量打印任务: one multi-page PDF of many certificates, built by a Celery worker with visible progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    certificate_ids = models.JSONField(default=list)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="certificates/pdf-jobs/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("PDF job")
        verbose_name_plural = _("PDF jobs")

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


models.CharField.register_lookup(Length)  # the __length lookup the constraints use
