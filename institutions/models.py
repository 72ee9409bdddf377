"""Institutions (评价机构). The filing workflow issue extends this app."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc


def validate_uscc(value: str) -> None:
    """ELIG-01: 统一社会信用代码, 18 characters with the GB 32100 check character."""
    if not uscc.is_valid(value or ""):
        raise ValidationError(
            _("ELIG-01: %(value)s is not a valid unified social credit code (check character wrong or malformed)."),
            params={"value": value}, code="ELIG-01",
        )


class Institution(models.Model):
    """评价机构: an employer (Y) or a social training evaluation organisation (S) (ELIG-02)."""

    class Kind(models.TextChoices):
        EMPLOYER = "Y", _("Employer (Y)")
        SOCIAL = "S", _("Social training evaluation organisation (S)")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=1, choices=Kind.choices)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc])
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="institutions", verbose_name=_("city"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return self.name
