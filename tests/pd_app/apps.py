from django.apps import AppConfig


class PdAppConfig(AppConfig):
    """Test-only models for the personal-data field."""

    name = "tests.pd_app"
    label = "pd_app"
    default_auto_field = "django.db.models.BigAutoField"
