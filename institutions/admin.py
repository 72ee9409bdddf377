from django.contrib import admin

from . import occupations_admin  # noqa: F401
from .models import (
    Announcement,
    FeeStandard,
    Filing,
    FilingApplication,
    FilingScope,
    Institution,
    StopOrder,
    Subsidiary,
    TerminationNotice,
)


class SubsidiaryInline(admin.TabularInline):
    model = Subsidiary
    extra = 0


class FeeStandardInline(admin.TabularInline):
    model = FeeStandard
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "sub_type", "uscc", "region", "affiliation"]
    list_filter = ["kind", "sub_type", "affiliation", "region__province"]
    search_fields = ["name", "uscc"]
    list_select_related = ["region"]
    inlines = [SubsidiaryInline, FeeStandardInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Workflow records change only through the services (audited); the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FilingApplication)
class FilingApplicationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "institution", "kind", "state", "handling_region", "submitted_at", "decided_on"]
    list_filter = ["state", "kind", "handling_region__province"]
    search_fields = ["institution__name", "institution__uscc"]
    list_select_related = ["institution", "handling_region"]


class FilingScopeInline(admin.TabularInline):
    model = FilingScope
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Filing)
class FilingAdmin(ReadOnlyAdmin):
    list_display = ["number", "institution", "state", "valid_from", "expires_on", "handling_region"]
    list_filter = ["state", "handling_region__province"]
    search_fields = ["number", "institution__name"]
    list_select_related = ["institution", "handling_region"]
    inlines = [FilingScopeInline]


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdmin):
    list_display = ["published_on", "kind", "title"]
    list_filter = ["kind"]
    search_fields = ["title", "body"]


@admin.register(StopOrder)
class StopOrderAdmin(ReadOnlyAdmin):
    list_display = ["name", "uscc", "region", "ordered_on"]
    list_select_related = ["region"]


@admin.register(TerminationNotice)
class TerminationNoticeAdmin(ReadOnlyAdmin):
    list_display = ["filing", "terminate_on", "status", "notified_at"]
    list_select_related = ["filing"]
