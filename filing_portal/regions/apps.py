from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "filing_portal.regions"
    label = "regions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Region
        from .reference_cache import region_changed

        # The cached region rows of the public search forms (reference_cache.py).
        post_save.connect(region_changed, sender=Region, dispatch_uid="regions.reference_cache.save")
        post_delete.connect(region_changed, sender=Region, dispatch_uid="regions.reference_cache.delete")
