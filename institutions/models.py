"""Institutions (评价机构), their filing applications and filing records.

The models live in three modules re-exported here: institutions themselves (this
file), applications (`application_models.py`) and filing records (`filing_models.py`);
the occupation catalogue is in `occupations.py`.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc

# GB 32100: the code alphabet has no I, O, S, V or Z.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_SHAPE = re.compile(rf"^[{_USCC_ALPHABET}]{{2}}\d{{6}}[{_USCC_ALPHABET}]{{10}}$")


def uscc_problem(value: str) -> str | None:
    """Why `value` is not a unified social credit code, or None when it is one (ELIG-01).

    stdnum's `uscc.validate` insists on digits in positions 1–8, but GB 32100 lets the
    registration-authority and category codes (positions 1–2) be letters (e.g. "Y1" for
    other authorities), so the shape is checked here and only the check character is
    stdnum's.
    """
    code = (value or "").strip().upper()
    if len(code) != 18:
        return "length"
    if not _USCC_SHAPE.match(code):
        return "format"
    if uscc.calc_check_digit(code[:17]) != code[17]:
        return "check"
    return None


def validate_uscc(value: str) -> None:
    """ELIG-01: 统一社会信用代码, 18 characters with the GB 32100 check character."""
    problem = uscc_problem(value)
    if problem == "length":
        raise ValidationError(_("ELIG-01: a unified social credit code has 18 characters."), code="ELIG-01")
    if problem == "format":
        raise ValidationError(
            _("ELIG-01: %(value)s is not shaped like a unified social credit code (2 code characters, "
              "6 digits of the division code, 10 code characters; no I, O, S, V, Z)."),
            params={"value": value}, code="ELIG-01")
    if problem == "check":
        raise ValidationError(
            _("ELIG-01: the check character of %(value)s is wrong; please check the code."),
            params={"value": value}, code="ELIG-01")


class Institution(models.Model):
    """评价机构: an employer (Y) or a social training evaluation organisation (S) (ELIG-02)."""

    class Kind(models.TextChoices):
        EMPLOYER = "Y", _("Employer (Y)")
        SOCIAL = "S", _("Social training evaluation organisation (S)")

    class SubType(models.TextChoices):
        # AH20 附件1 机构性质
        ENTERPRISE = "enterprise", _("Enterprise")
        PRIVATE_NON_ENTERPRISE = "private_non_enterprise", _("Private non-enterprise unit")
        ASSOCIATION = "association", _("Industry association")
        RESEARCH_INSTITUTE = "research_institute", _("Research institute")
        COLLEGE = "college", _("College or technical school")
        OTHER = "other", _("Other")

    class Affiliation(models.TextChoices):
        # JUR-01: province- or ministry-affiliated units are filed with the province.
        LOCAL = "city", _("Local (city)")
        PROVINCE = "province", _("Province-affiliated")
        MINISTRY = "ministry", _("Ministry-affiliated")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=1, choices=Kind.choices)
    sub_type = models.CharField(_("type of organisation"), max_length=24, choices=SubType.choices,
                                default=SubType.ENTERPRISE)
    # ELIG-09: associations applying as social organisations need a civil-affairs rating of 3A or above.
    association_rating = models.CharField(_("civil-affairs rating"), max_length=2, blank=True,
                                          choices=[("1A", "1A"), ("2A", "2A"), ("3A", "3A"), ("4A", "4A"),
                                                   ("5A", "5A")])
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc])
    registration_authority = models.CharField(_("registration authority"), max_length=100, blank=True)
    registered_capital = models.CharField(_("registered capital"), max_length=50, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    head = models.CharField(_("head of the evaluation department"), max_length=50, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_title = models.CharField(_("contact's position"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="institutions", verbose_name=_("city"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    affiliation = models.CharField(_("affiliation"), max_length=8, choices=Affiliation.choices,
                                   default=Affiliation.LOCAL)
    # NUM-01: a ministry-filed institution has its own code 0001–9999 in positions 2–5 of its filing number.
    ministry_code = models.CharField(
        _("ministry institution code"), max_length=4, blank=True,
        validators=[RegexValidator(r"^\d{4}$", _("NUM-01: the ministry institution code is four digits."))],
        help_text=_("Four digits, required for ministry-affiliated institutions (NUM-01)."))
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        # The public directory is ordered by name (PUB-01): with this index a page of 50 reads 50 rows, not
        # 50,000. Its name search (LIKE '%…%') has a trigram index on PostgreSQL (migration 0009).
        # A search by city reads that city's institutions in name order (region, name): 35,000 rows of the
        # name index were filtered away for one city's page before.
        indexes = [models.Index(fields=["name"], name="institution_name_idx"),
                   models.Index(fields=["region", "name"], name="institution_region_name_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["Y", "S"]), name="institution_kind_valid"),
            # NUM-01: a ministry-affiliated institution carries its own four-digit code (not 0000).
            models.CheckConstraint(
                condition=~models.Q(affiliation="ministry")
                | (models.Q(ministry_code__regex=r"^[0-9]{4}$") & ~models.Q(ministry_code="0000")),
                name="institution_ministry_code_required",
                violation_error_message=_("NUM-01: a ministry-affiliated institution needs its own four-digit "
                                          "code (0001–9999)."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.affiliation == self.Affiliation.MINISTRY and (
                not re.fullmatch(r"\d{4}", self.ministry_code or "") or self.ministry_code == "0000"):
            raise ValidationError({"ministry_code": ValidationError(
                _("NUM-01: a ministry-affiliated institution needs its own four-digit code (0001–9999)."),
                code="NUM-01")})

    @property
    def filing_institution_code(self) -> str | None:
        """NUM-01 positions 2–5: the ministry code of a ministry-filed institution, else None (the profile's)."""
        return self.ministry_code if self.affiliation == self.Affiliation.MINISTRY else None


class Subsidiary(models.Model):
    """ELIG-02: an employer may assess staff of subsidiaries it lists."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="subsidiaries")
    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, validators=[validate_uscc])

    class Meta:
        verbose_name = _("subsidiary")
        verbose_name_plural = _("subsidiaries")
        constraints = [models.UniqueConstraint(fields=["institution", "uscc"], name="subsidiary_unique")]

    def __str__(self) -> str:
        return self.name


class FeeStandard(models.Model):
    """PUB-03: the fee standards of each institution are public."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="fee_standards")
    item = models.CharField(_("fee item"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    amount_yuan = models.DecimalField(_("amount (yuan)"), max_digits=8, decimal_places=2)
    basis = models.CharField(_("approved by"), max_length=200, blank=True)

    class Meta:
        ordering = ["item", "level"]
        verbose_name = _("fee standard")
        verbose_name_plural = _("fee standards")
        constraints = [models.CheckConstraint(condition=models.Q(amount_yuan__gte=0), name="fee_not_negative")]

    def __str__(self) -> str:
        return f"{self.item} {self.amount_yuan}"


from .application_models import (  # noqa: E402,F401
    ApplicationOccupation,
    Assessor,
    Attachment,
    Equipment,
    ExpertOpinion,
    FilingApplication,
    Objection,
    StaffMember,
    Venue,
)
from .filing_models import Announcement, Filing, FilingScope, StopOrder, TerminationNotice  # noqa: E402,F401
from .occupations import EvaluationNorm, Occupation, WorkType  # noqa: E402,F401
