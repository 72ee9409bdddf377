from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Workflow helpers, API pieces, the deadline registry and the kernel's commands."""

    name = "filing_portal.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"
