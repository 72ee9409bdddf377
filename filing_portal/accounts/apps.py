from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "filing_portal.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .security import connect_signals

        connect_signals()
