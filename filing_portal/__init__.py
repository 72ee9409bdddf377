"""The filing portal (职业技能等级认定机构备案门户): settings, URLs, Celery app and the shared kernel."""

from .celery import app as celery_app

__all__ = ["celery_app"]
