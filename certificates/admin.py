from django.contrib import admin

from filing_portal.personal_data import mask_id_number

from .models import Certificate, FilingNumber, NumberCounter


@admin.register(FilingNumber)
class FilingNumberAdmin(admin.ModelAdmin):
    """Read-only: numbers change only through the services (allocation, retirement: NUM-03)."""

    list_display = ["number", "holder_name", "status", "retired_reason", "retired_on", "allocated_at"]
    list_filter = ["status", "retired_reason", "kind", "province_code"]
    search_fields = ["number", "holder_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Read-only: a certificate is a legal document; voiding goes through the staff pages (audited)."""

    list_display = ["number", "holder_name", "masked_id", "level", "issue_date", "institution_name", "status"]
    list_filter = ["status", "level", "province_code"]
    search_fields = ["=number", "holder_name", "=filing_number"]
    exclude = ["id_number", "id_number_hash"]
    show_full_result_count = False

    @admin.display(description="ID")
    def masked_id(self, obj):
        return mask_id_number(obj.id_number)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NumberCounter)
class NumberCounterAdmin(admin.ModelAdmin):
    list_display = ["scope", "last"]
    search_fields = ["scope"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
