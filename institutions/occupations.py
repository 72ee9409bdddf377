"""职业分类大典: the national occupational classification, as far as filing needs it (ELIG-03).

The catalogue is loaded from `fixtures/occupations/occupations.json` by `occupations_load`
(`manage.py load_occupations`); admins add occupations and evaluation norms in the admin.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# [0-9], not \d: Python's \d also matches full-width digits such as "４". The first digit is the major group.
CODE_PATTERN = r"^[1-8]-[0-9]{2}-[0-9]{2}-[0-9]{2}$"
CODE_VALIDATOR = RegexValidator(CODE_PATTERN, _("Occupation codes look like 4-12-01-01."),
                                code="invalid_code")
SKILL_GROUPS = frozenset({3, 4, 5, 6})  # ELIG-03: only skill occupations can be filed
LEVELS = range(1, 6)  # 1 = 一级/高级技师 … 5 = 五级/初级工, as everywhere in the portal


class MajorGroup(models.IntegerChoices):
    """大类 of the 2022 classification."""

    HEADS = 1, _("1 Heads of Party and state organs, mass organisations, enterprises and institutions")
    PROFESSIONALS = 2, _("2 Professional and technical personnel")
    CLERICAL = 3, _("3 Clerical and related personnel")
    SERVICES = 4, _("4 Social production and everyday-life service personnel")
    AGRICULTURE = 5, _("5 Agriculture, forestry, animal husbandry and fishery workers")
    PRODUCTION = 6, _("6 Production, manufacturing and related personnel")
    MILITARY = 7, _("7 Military personnel")
    OTHER = 8, _("8 Other workers not classifiable")


def validate_levels(value) -> None:
    """Levels covered by an evaluation norm: a non-empty list of distinct levels 1–5."""
    def is_level(level) -> bool:
        return isinstance(level, int) and not isinstance(level, bool) and level in LEVELS

    if not isinstance(value, list) or not value or not all(map(is_level, value)) \
            or len(set(value)) != len(value):
        raise ValidationError(_("Give the levels covered as distinct numbers from 1 (高级技师) to 5 (初级工)."),
                              code="invalid_levels")


class Occupation(models.Model):
    """职业: an occupation of the 2022 classification with its code (e.g. 4-12-01-01 汽车维修工)."""

    code = models.CharField(_("code"), max_length=11, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=100)
    # Stored so lists can filter on it; always the code's first digit (set in save()).
    major_group = models.PositiveSmallIntegerField(_("major group"), choices=MajorGroup.choices,
                                                   editable=False)
    has_national_standard = models.BooleanField(_("national skill standard published"), default=False)
    is_access_licensed = models.BooleanField(_("access-type licensed (excluded)"), default=False)
    is_new = models.BooleanField(_("newly published occupation"), default=False)
    published_year = models.PositiveSmallIntegerField(_("published in"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=CODE_PATTERN),
                                   name="occupation_code_format"),
            models.CheckConstraint(condition=models.Q(major_group__gte=1, major_group__lte=8),
                                   name="occupation_major_group_range"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        if self.code and self.code[:1].isdigit():
            self.major_group = int(self.code[0])
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "code" in update_fields:
                kwargs["update_fields"] = {*update_fields, "major_group"}
        super().save(*args, **kwargs)

    @property
    def fileable(self) -> bool:
        """ELIG-03: a skill occupation (major groups 3–6), active, not access-type licensed (准入类), with a
        national skill standard or an active filed evaluation norm (评价规范) for some level.

        Level by level, `occupation_services.occupation_check_fileable` decides; this is the overview
        the admin shows. Uses prefetched `norms` when there are any.
        """
        return (self.active and self.major_group in SKILL_GROUPS and not self.is_access_licensed
                and (self.has_national_standard or any(norm.active for norm in self.norms.all())))


class WorkType(models.Model):
    """工种: a work type within an occupation (e.g. 电焊工 of 焊工)."""

    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="work_types",
                                   verbose_name=_("occupation"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["occupation", "name"]
        verbose_name = _("work type")
        verbose_name_plural = _("work types")
        constraints = [models.UniqueConstraint(fields=["occupation", "name"], name="work_type_unique")]

    def __str__(self) -> str:
        return self.name


class EvaluationNorm(models.Model):
    """评价规范: an evaluation norm filed for an occupation without a national skill standard (ELIG-03).

    It covers only the levels it lists; a withdrawn norm stays on record with `active` off.
    """

    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="norms",
                                   verbose_name=_("occupation"))
    title = models.CharField(_("title"), max_length=200)
    filed_on = models.DateField(_("filed on"))
    filed_by = models.CharField(_("filed by"), max_length=200, blank=True)
    levels = models.JSONField(_("levels covered"), default=list, validators=[validate_levels],
                              help_text=_("1 = 高级技师 … 5 = 初级工"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["occupation", "filed_on"]
        verbose_name = _("evaluation norm")
        verbose_name_plural = _("evaluation norms")
        constraints = [models.UniqueConstraint(fields=["occupation", "title"], name="evaluation_norm_unique")]

    def __str__(self) -> str:
        return self.title

    def covers(self, level: int) -> bool:
        return self.active and level in (self.levels or [])
