"""Admin for the occupation catalogue (职业分类大典, ELIG-03): occupations, their work types and filed norms."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .occupations import EvaluationNorm, Occupation, WorkType

LEVEL_CHOICES = [  # the portal's levels: 1 = 高级技师 … 5 = 初级工
    (1, _("1 senior technician (高级技师)")),
    (2, _("2 technician (技师)")),
    (3, _("3 senior worker (高级工)")),
    (4, _("4 intermediate worker (中级工)")),
    (5, _("5 junior worker (初级工)")),
]


class EvaluationNormForm(forms.ModelForm):
    """Levels as check boxes rather than raw JSON."""

    levels = forms.TypedMultipleChoiceField(label=_("levels covered"), choices=LEVEL_CHOICES, coerce=int,
                                            widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = EvaluationNorm
        fields = ["occupation", "title", "filed_on", "filed_by", "levels", "active"]

    def clean_levels(self):
        return sorted(self.cleaned_data["levels"])


class WorkTypeInline(admin.TabularInline):
    model = WorkType
    extra = 0


class EvaluationNormInline(admin.StackedInline):
    model = EvaluationNorm
    form = EvaluationNormForm
    extra = 0


@admin.register(Occupation)
class OccupationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "major_group", "has_national_standard", "is_access_licensed", "is_new",
                    "active", "fileable_display"]
    list_filter = ["major_group", "has_national_standard", "is_access_licensed", "is_new", "active"]
    search_fields = ["code", "name"]
    readonly_fields = ["major_group"]
    fields = ["code", "name", "major_group", "has_national_standard", "is_access_licensed", "is_new",
              "published_year", "active", "note"]
    inlines = [WorkTypeInline, EvaluationNormInline]
    list_per_page = 100

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("norms")  # for fileable, without N+1

    @admin.display(boolean=True, description=_("fileable (ELIG-03)"))
    def fileable_display(self, obj: Occupation) -> bool:
        return obj.fileable


@admin.register(EvaluationNorm)
class EvaluationNormAdmin(admin.ModelAdmin):
    form = EvaluationNormForm
    list_display = ["title", "occupation", "levels", "filed_on", "filed_by", "active"]
    list_filter = ["active"]
    search_fields = ["title", "occupation__code", "occupation__name", "filed_by"]
    autocomplete_fields = ["occupation"]
    list_select_related = ["occupation"]
    date_hierarchy = "filed_on"
