"""Admin for the calendar: entering a year's official schedule, single corrections, and the coverage page."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, ExtractYear
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dates import WEEKDAYS
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import calendar
from .models import CalendarDay, CalendarYear
from .services import calendar_year_publish, calendar_year_withdraw, can_manage_calendar

# The coverage page starts where the package's data starts.
FIRST_COVERAGE_YEAR = 2004
COVERAGE_YEARS_AHEAD = 4


class YearListFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "is_working", "name", "note"]
    list_filter = [YearListFilter, "is_working"]
    search_fields = ["name", "note"]
    date_hierarchy = "date"
    ordering = ["date"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return WEEKDAYS[obj.date.weekday()]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and can_manage_calendar(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_manage_calendar(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_manage_calendar(request.user)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._remind_to_publish(request, obj.date.year)

    def delete_model(self, request, obj):
        year = obj.date.year
        super().delete_model(request, obj)
        self._remind_to_publish(request, year)

    def _remind_to_publish(self, request, year: int) -> None:
        # Due dates move only when a year is (re)published: a single correction
        # must not silently leave stored due dates computed from the old data.
        if CalendarYear.objects.filter(year=year).exists():
            self.message_user(
                request,
                _("%(year)s is already published: publish it again (calendar years → action) to recompute due dates.")
                % {"year": year},
                messages.WARNING,
            )


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "entered_days", "entered_by", "entered_at", "note"]
    list_select_related = ["entered_by"]
    readonly_fields = ["entered_days", "entered_by", "entered_at"]
    fields = ["year", "note", "entered_days", "entered_by", "entered_at"]
    actions = ["publish_again"]
    change_list_template = "workdays/admin/calendaryear_change_list.html"

    def get_queryset(self, request):
        days = (
            CalendarDay.objects.filter(date__year=OuterRef("year"))
            .order_by()
            .values("date__year")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(
            days_count=Coalesce(Subquery(days, output_field=IntegerField()), 0)
        )

    def get_readonly_fields(self, request, obj=None):
        # The year is the row's identity: a wrong year is withdrawn, not renamed.
        return [*self.readonly_fields, "year"] if obj is not None else self.readonly_fields

    @admin.display(description=_("days entered"))
    def entered_days(self, obj: CalendarYear):
        if obj.pk is None:
            return _("Enter the year's holidays and adjusted working days as calendar days first.")
        url = reverse("admin:workdays_calendarday_changelist")
        count = getattr(obj, "days_count", None)
        if count is None:
            count = CalendarDay.objects.filter(date__year=obj.year).count()
        return format_html('<a href="{}?year={}">{}</a>', url, obj.year, count)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and can_manage_calendar(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_manage_calendar(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_manage_calendar(request.user)

    def save_model(self, request, obj, form, change):
        # Through the service: the audit event and the recompute of provisional due dates.
        published = calendar_year_publish(year=obj.year, acting_user=request.user, note=obj.note)
        obj.pk = published.pk
        obj.entered_by = published.entered_by
        obj.entered_at = published.entered_at

    def delete_model(self, request, obj):
        calendar_year_withdraw(calendar_year=obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            calendar_year_withdraw(calendar_year=obj, acting_user=request.user)

    @admin.action(description=_("Publish again and recompute due dates"), permissions=["change"])
    def publish_again(self, request, queryset):
        years = list(queryset)
        for obj in years:
            calendar_year_publish(year=obj.year, acting_user=request.user, note=obj.note)
        self.message_user(
            request,
            ngettext(
                "%(count)d year published again; due dates are being recomputed.",
                "%(count)d years published again; due dates are being recomputed.",
                len(years),
            ) % {"count": len(years)},
            messages.SUCCESS,
        )

    def get_urls(self):
        coverage = path(
            "coverage/",
            self.admin_site.admin_view(self.coverage_view),
            name="workdays_calendaryear_coverage",
        )
        return [coverage, *super().get_urls()]

    def coverage_view(self, request):
        """Every year from the package's first to four years ahead, with where its working days come from."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        last_year = calendar.today().year + COVERAGE_YEARS_AHEAD
        entered = {
            cy.year: cy
            for cy in CalendarYear.objects.filter(year__gte=FIRST_COVERAGE_YEAR, year__lte=last_year)
            .select_related("entered_by")
        }
        counts = {
            row["y"]: row
            for row in CalendarDay.objects.filter(date__year__gte=FIRST_COVERAGE_YEAR, date__year__lte=last_year)
            .annotate(y=ExtractYear("date"))
            .order_by()
            .values("y")
            .annotate(total=Count("pk"), holidays=Count("pk", filter=Q(is_working=False)),
                      working=Count("pk", filter=Q(is_working=True)))
        }
        rows = []
        for year in range(FIRST_COVERAGE_YEAR, last_year + 1):
            if year in entered:
                source = calendar.SOURCE_OVERRIDE
            elif calendar.package_covers(year):
                source = calendar.SOURCE_PACKAGE
            else:
                source = calendar.SOURCE_FALLBACK
            row_counts = counts.get(year, {})
            rows.append({
                "year": year,
                "source": source,
                "calendar_year": entered.get(year),
                "total": row_counts.get("total", 0),
                "holidays": row_counts.get("holidays", 0),
                "working": row_counts.get("working", 0),
            })
        context = {
            **self.admin_site.each_context(request),
            "title": _("Calendar coverage"),
            "opts": self.opts,
            "rows": rows,
            "uncovered": [r["year"] for r in rows if r["source"] == calendar.SOURCE_FALLBACK],
            "can_add": self.has_add_permission(request),
            "days_url": reverse("admin:workdays_calendarday_changelist"),
        }
        return TemplateResponse(request, "workdays/admin/coverage.html", context)
