from django.contrib import admin

from .models import Institution


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "uscc", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "uscc"]
    list_select_related = ["region"]
