"""Test-only model exercising the personal-data fields (DESIGN.md "Personal data")."""

from django.db import models

from filing_portal.personal_data import EncryptedCharField, HmacIndexField, IdType


class Holder(models.Model):
    """持证人 stand-in: a name and an ID number stored encrypted with its lookup index."""

    name = models.CharField(max_length=50)
    id_type = models.CharField(max_length=3, choices=IdType.choices, default=IdType.RESIDENT_ID_CARD)
    id_number = EncryptedCharField(blank=True)
    id_number_hash = HmacIndexField(source="id_number")

    def __str__(self) -> str:
        # The name only: str(obj) ends up in audit events and logs.
        return self.name
