from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Filing.last_batch_exam_on follows the conducted batches (supervision/activity.py).
        from .activity import connect_signals

        connect_signals()
