from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "title", "read_at", "emailed_at")
    list_filter = ("read_at", "emailed_at")
    search_fields = ("user__username", "title", "key")
    raw_id_fields = ("user",)
    readonly_fields = ("user", "key", "title", "body", "url", "created_at", "read_at", "emailed_at")
