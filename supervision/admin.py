"""Admin of supervision: the inspector pool is edited here; workflow records are read-only (they change only
through the services, which audit every step)."""

from django.contrib import admin

from .models import Case, Complaint, Draw, Inspection, InspectionFinding, InspectorProfile, ValidityPeriod


@admin.register(InspectorProfile)
class InspectorProfileAdmin(admin.ModelAdmin):
    list_display = ["code", "user", "region", "employer", "employer_name", "active"]
    list_filter = ["active", "region"]
    search_fields = ["code", "user__username", "user__first_name", "user__last_name", "employer_name"]
    autocomplete_fields = ["employer"]
    raw_id_fields = ["user"]

    def has_delete_permission(self, request, obj=None):
        return False  # REC-02: an inspector who served stays on record; set "in the pool" off instead


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FindingInline(admin.TabularInline):
    model = InspectionFinding
    extra = 0
    can_delete = False
    fields = ["item", "compliant", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "region", "state", "sample_size", "team_size", "drawn_at"]
    list_filter = ["state", "region"]
    search_fields = ["reference", "title"]
    exclude = ["seed"]  # never shown before the draw; the public draw page shows it after


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "institution", "planned_on", "inspected_on", "outcome"]
    list_filter = ["kind", "outcome", "region"]
    search_fields = ["reference", "institution__name", "filing__number"]
    inlines = [FindingInline]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["ack_number", "status", "institution", "received_on", "response_due", "answered_on"]
    list_filter = ["status", "outcome", "region"]
    search_fields = ["ack_number", "institution__name", "institution_name"]
    exclude = ["contact_name", "contact_phone", "contact_email"]  # personal data: on the handling office's page


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["reference", "institution", "state", "origin", "tier", "article", "opened_on", "decided_on"]
    list_filter = ["state", "tier", "origin", "region"]
    search_fields = ["reference", "institution__name", "filing__number"]


@admin.register(ValidityPeriod)
class ValidityPeriodAdmin(ReadOnlyAdmin):
    list_display = ["filing", "index", "starts_on", "ends_on", "clean", "findings"]
    list_filter = ["clean"]
