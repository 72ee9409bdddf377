from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: REC-02 forbids changing or deleting the trail, the admin included."""

    list_display = ["occurred_at", "actor_name", "actor_role", "action", "object_repr", "from_state", "to_state", "ip"]
    list_filter = ["action", "actor_role", "object_type"]
    search_fields = ["actor_name", "object_repr", "object_id", "comment"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
