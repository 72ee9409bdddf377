"""Users and their roles."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    INSTITUTION = "institution", _("Institution user")
    CITY_STAFF = "city_staff", _("City staff")
    PROVINCE_STAFF = "province_staff", _("Province staff")
    EXPERT = "expert", _("Expert")
    INSPECTOR = "inspector", _("Inspector")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = frozenset({Role.CITY_STAFF, Role.PROVINCE_STAFF})


class PortalUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # `createsuperuser` and test fixtures make administrators, not institution users.
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """门户用户: one role; institution users belong to one institution, staff to one region."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.INSTITUTION)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="users",
        verbose_name=_("region"),
    )
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, null=True, blank=True, related_name="users",
        verbose_name=_("institution"),
    )
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="institution") | models.Q(institution__isnull=False),
                name="user_institution_role_has_institution",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=["city_staff", "province_staff"]) | models.Q(region__isnull=False),
                name="user_staff_role_has_region",
            ),
        ]

    @property
    def is_office_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def province(self):
        """The province the user works in (None for users without a region)."""
        return self.region.province_region if self.region_id else None
