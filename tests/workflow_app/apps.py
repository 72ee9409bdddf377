from django.apps import AppConfig


class WorkflowAppConfig(AppConfig):
    """A small workflow used only by the tests of the shared transition service and API."""

    name = "tests.workflow_app"
    label = "workflow_app"
    default_auto_field = "django.db.models.BigAutoField"
