from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "filing_portal.workdays"
    label = "workdays"
    verbose_name = _("Working-day calendar")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the signal that clears the staff banner's cache when a year is entered.
        from . import calendar  # noqa: F401
