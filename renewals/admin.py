"""Renewal records in the admin: read-only (they change only through the services, which audit them)."""

from django.contrib import admin

from .models import FilingReminder, RenewalApplication, RenewalPlan


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RenewalPlanInline(ReadOnlyMixin, admin.TabularInline):
    model = RenewalPlan
    extra = 0
    fields = ["position", "plan_number", "occupation", "work_type", "level", "assessed", "passed", "uploaded",
              "year"]
    readonly_fields = fields


@admin.register(RenewalApplication)
class RenewalApplicationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["reference", "filing", "institution_name", "state", "expires_on", "submitted_on", "in_grace",
                    "evaluation_due", "new_expires_on"]
    list_filter = ["state", "in_grace", "filing__handling_region__province"]
    search_fields = ["reference", "filing__number", "institution_name", "uscc"]
    list_select_related = ["filing"]
    inlines = [RenewalPlanInline]


@admin.register(FilingReminder)
class FilingReminderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["filing", "expires_on", "kind", "sent_on", "recipients"]
    list_filter = ["kind"]
    search_fields = ["filing__number"]
    list_select_related = ["filing"]
