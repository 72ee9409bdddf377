"""The working-day calendar's own data: staff-entered official schedules (DESIGN.md "Time")."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Far enough for any deadline, near enough that date arithmetic never overflows.
FIRST_YEAR = 2000
LAST_YEAR = 2100


class CalendarYear(models.Model):
    """放假安排已录入年度: the State Council's schedule for this year has been entered in full.

    The row is what turns a year the `chinese_calendar` package does not know from
    "fallback" (Monday–Friday, provisional due dates) into "override". Create it
    only through `services.calendar_year_publish`, which recomputes provisional
    due dates once the row is committed.
    """

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Source of the schedule, e.g. the State Council notice."))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """节假日/调休日: one day that differs from plain Monday–Friday, as staff entered it.

    A public holiday on a weekday (is_working False, "春节") or a working weekend
    day (is_working True, "调休上班"). Rows are also single corrections for years
    the package covers: a row always wins over the package.
    """

    date = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=64, blank=True, help_text=_("e.g. 春节, 国庆节, 调休上班"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".rstrip()
