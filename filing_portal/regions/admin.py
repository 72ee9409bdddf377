"""Admin pages for the reference data administrators keep: regions and policy profiles."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import JurisdictionCeiling, PolicyProfile, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "province", "filing_city_code"]
    list_filter = ["level", ("province", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name"]
    list_select_related = ["province"]
    autocomplete_fields = ["province"]
    ordering = ["code"]


class JurisdictionCeilingInline(admin.TabularInline):
    """JUR-02: cities whose office handles levels above the province's default."""

    model = JurisdictionCeiling
    extra = 0
    autocomplete_fields = ["city"]


@admin.register(PolicyProfile)
class PolicyProfileAdmin(admin.ModelAdmin):
    list_display = [
        "province", "renewal_window", "grace_period_days", "acceptance_deadline_wd",
        "pilot_months", "default_city_ceiling_level",
    ]
    list_select_related = ["province"]
    search_fields = ["province__code", "province__name"]
    autocomplete_fields = ["province"]
    inlines = [JurisdictionCeilingInline]
    fieldsets = [
        (None, {"fields": ["province", "source_note"]}),
        (_("Filing (FIL)"), {"fields": [
            "acceptance_deadline_wd", "supplement_deadline_wd", "completion_deadline_wd",
            "public_notice_wd", "validity_years", "pilot_months", "required_name_suffix",
        ]}),
        (_("Changes and renewal (CHG, REN)"), {"fields": [
            "change_materials_wd", "change_freeze_days", "renewal_window_value", "renewal_window_unit",
            "grace_period_days", "renewal_evaluation_wd",
        ]}),
        (_("Assessment batches (ASM)"), {"fields": ["plan_lead_wd", "results_publicity_days", "results_report_wd",
                                                     "pass_mark"]}),
        (_("Jurisdiction and numbering (JUR, NUM)"), {"fields": ["default_city_ceiling_level", "institution_code"]}),
    ]

    @admin.display(description=_("renewal window"))
    def renewal_window(self, obj: PolicyProfile) -> str:
        return f"{obj.renewal_window_value} {obj.get_renewal_window_unit_display()}"
