"""Regions (GB/T 2260) and each province's policy profile (JUR-01/02, NUM-08)."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Region(models.Model):
    """行政区划: a province or a prefecture-level city, keyed by its GB/T 2260 code."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")

    code = models.CharField(
        _("GB/T 2260 code"), max_length=6, unique=True,
        validators=[RegexValidator(r"^\d{6}$", _("A region code is six digits."))],
    )
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    province = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="cities",
        limit_choices_to={"level": "province"}, verbose_name=_("province"),
    )
    # NUM-08: the province's own two-digit code for the city in filing numbers
    # (Anhui's table is not GB/T 2260: Lu'an is 24, Xuancheng 25). "00" = province level.
    filing_city_code = models.CharField(
        _("city code in filing numbers"), max_length=2,
        validators=[RegexValidator(r"^\d{2}$", _("The filing city code is two digits."))],
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(level="province", province__isnull=True, filing_city_code="00")
                           | models.Q(level="city", province__isnull=False)),
                name="region_level_consistent",
            ),
            models.UniqueConstraint(fields=["province", "filing_city_code"], name="region_unique_filing_city_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def province_code(self) -> str:
        """Two-digit province code (NUM-01 positions 6–7)."""
        return self.code[:2]

    @property
    def province_region(self) -> "Region":
        return self if self.level == self.Level.PROVINCE else self.province


class PolicyProfile(models.Model):
    """省级政策参数: every number of the regime that differs between provinces (DESIGN.md "Policy profiles")."""

    class WindowUnit(models.TextChoices):
        DAYS = "days", _("days")
        MONTHS = "months", _("months")

    province = models.OneToOneField(
        Region, on_delete=models.PROTECT, related_name="policy_profile",
        limit_choices_to={"level": "province"}, verbose_name=_("province"),
    )
    # REN-01: 90 days (FJ22/FJ23) or 3 months (JL25).
    renewal_window_value = models.PositiveSmallIntegerField(_("renewal window"), default=90)
    renewal_window_unit = models.CharField(
        _("renewal window unit"), max_length=6, choices=WindowUnit.choices, default=WindowUnit.DAYS
    )
    grace_period_days = models.PositiveSmallIntegerField(_("grace period after expiry (days)"), default=60)  # REN-03
    acceptance_deadline_wd = models.PositiveSmallIntegerField(_("acceptance check (working days)"), default=5)  # FIL-02
    supplement_deadline_wd = models.PositiveSmallIntegerField(_("supplement deadline (working days)"), default=5)  # FIL-04
    completion_deadline_wd = models.PositiveSmallIntegerField(_("completion after evaluation (working days)"), default=15)  # FIL-05
    public_notice_wd = models.PositiveSmallIntegerField(_("public notice (working days)"), default=5)  # FIL-07
    validity_years = models.PositiveSmallIntegerField(_("filing validity (years)"), default=3)  # FIL-09
    pilot_months = models.PositiveSmallIntegerField(
        _("pilot period for new social organisations (months, 0 = none)"), default=0
    )  # FIL-10
    change_materials_wd = models.PositiveSmallIntegerField(_("change materials due (working days)"), default=5)  # CHG-03
    change_freeze_days = models.PositiveSmallIntegerField(_("no scope changes before expiry (days)"), default=90)  # CHG-05
    plan_lead_wd = models.PositiveSmallIntegerField(_("batch plan lead time (working days)"), default=10)  # ASM-01
    results_publicity_days = models.PositiveSmallIntegerField(_("results publicity (days)"), default=7)  # ASM-05
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (of 100, each subject)"), default=60,
                                                 validators=[MaxValueValidator(100)])  # ASM-05 / results
    results_report_wd = models.PositiveSmallIntegerField(_("results report deadline (working days)"), default=10)  # ASM-05
    renewal_evaluation_wd = models.PositiveSmallIntegerField(_("renewal evaluation (working days)"), default=30)  # REN-07
    complaint_response_wd = models.PositiveSmallIntegerField(
        _("complaint response (working days)"), default=15)  # SUP-02
    rectification_wd = models.PositiveSmallIntegerField(
        _("rectification period (working days)"), default=20)  # SUP-04 (FJ23 Art.22)
    # JUR-01: cities handle senior worker (level 3) and below unless a ceiling row says otherwise (JUR-02).
    default_city_ceiling_level = models.PositiveSmallIntegerField(
        _("highest level a city handles"), default=3, validators=LEVEL_VALIDATORS
    )
    # NUM-01 positions 2–5: "0000" for an institution filed with the province.
    institution_code = models.CharField(
        _("institution code in filing numbers"), max_length=4, default="0000",
        validators=[RegexValidator(r"^\d{4}$", _("The institution code is four digits."))],
    )
    # FIL-11: Sichuan's appraisal institutions are named "<legal name>职业技能考核鉴定所（站）".
    required_name_suffix = models.CharField(_("required institution name suffix"), max_length=32, blank=True)
    source_note = models.TextField(_("sources"), blank=True)

    class Meta:
        verbose_name = _("policy profile")
        verbose_name_plural = _("policy profiles")

    def __str__(self) -> str:
        return str(self.province)

    def ceiling_for(self, city: Region | None) -> int:
        """Highest level (1 = 高级技师 … 5 = 初级工) the city's office handles (JUR-01/02)."""
        if city is None or city.level == Region.Level.PROVINCE:
            return 1
        for ceiling in self.ceilings.all():
            if ceiling.city_id == city.pk:
                return ceiling.max_level
        return self.default_city_ceiling_level


class JurisdictionCeiling(models.Model):
    """JUR-02: a city whose office handles levels above the province's default (Chengdu: up to 技师)."""

    profile = models.ForeignKey(PolicyProfile, on_delete=models.CASCADE, related_name="ceilings")
    city = models.ForeignKey(Region, on_delete=models.PROTECT, limit_choices_to={"level": "city"})
    max_level = models.PositiveSmallIntegerField(_("highest level handled"), validators=LEVEL_VALIDATORS)

    class Meta:
        verbose_name = _("jurisdiction ceiling")
        verbose_name_plural = _("jurisdiction ceilings")
        constraints = [
            models.UniqueConstraint(fields=["profile", "city"], name="ceiling_unique_city"),
            models.CheckConstraint(condition=models.Q(max_level__gte=1, max_level__lte=5), name="ceiling_level_range"),
        ]

    def __str__(self) -> str:
        # Shown in the profile's admin inline and in messages (ruff DJ008).
        return str(_("%(city)s: up to level %(level)s") % {"city": self.city, "level": self.max_level})
