"""Read-only admin of assessment batches: workflow records change only through the services (audited)."""

from django.contrib import admin

from .models import AssessmentBatch, BatchItem, BatchStaff, ResultObjection, SpotCheck


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BatchItemInline(ReadOnlyInline):
    model = BatchItem
    fields = ["occupation", "work_type", "level"]
    readonly_fields = fields


class BatchStaffInline(ReadOnlyInline):
    model = BatchStaff
    fields = ["role", "name", "phone", "organisation", "is_trainer"]
    readonly_fields = fields


class ResultObjectionInline(ReadOnlyInline):
    model = ResultObjection
    fields = ["created_at", "status", "content", "resolution", "resolved_by"]
    readonly_fields = fields


class SpotCheckInline(ReadOnlyInline):
    model = SpotCheck
    fields = ["checked_on", "checked_by", "step", "findings", "compliant"]
    readonly_fields = fields


@admin.register(AssessmentBatch)
class AssessmentBatchAdmin(admin.ModelAdmin):
    """Candidates are not shown here: their ID numbers are revealed only where the reveal is audited."""

    list_display = ["plan_number", "institution", "state", "exam_start", "handling_region", "copied_to_province",
                    "report_due"]
    list_filter = ["state", "copied_to_province", "supervision_mode", "handling_region__province"]
    search_fields = ["plan_number", "institution__name", "filing__number"]
    list_select_related = ["institution", "handling_region"]
    date_hierarchy = "exam_start"
    inlines = [BatchItemInline, BatchStaffInline, ResultObjectionInline, SpotCheckInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("filing", "institution", "handling_region")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
