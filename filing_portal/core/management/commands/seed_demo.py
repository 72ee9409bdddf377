"""Demo data (DESIGN.md "Demo data"): reference data, one user per role, the demo institutions.

Apps extend the scenario by adding a `seed_demo(stdout)` function to a `demo.py`
module of their own; this command calls them in layer order.
"""

import importlib.util

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from filing_portal.accounts.models import User
from filing_portal.regions.models import Region
from filing_portal.regions.services import reference_data_load
from institutions.models import Institution
from institutions.occupation_services import occupations_load

DEFAULT_PASSWORD = "demo-Pass-2026"
# Valid unified social credit codes (GB 32100 check character) for the demo institutions.
DEMO_INSTITUTIONS = {
    "inst_s": ("合肥新华职业技能评价中心", "S", "52340100MA2T8Q6X3M", "340100", "合肥市蜀山区长江西路 100 号"),
    "inst_y": ("芜湖江城汽车零部件有限公司", "Y", "91340200MA2RYD5J0P", "340200", "芜湖市鸠江区银湖北路 8 号"),
}
DEMO_USERS = [
    # username, role, region code, institution key, name
    ("admin", "admin", None, None, "系统管理员"),
    ("province_ah", "province_staff", "340000", None, "省鉴定中心 王审核"),
    ("city_hefei", "city_staff", "340100", None, "合肥市鉴定中心 李经办"),
    ("expert1", "expert", None, None, "评审专家 张专家"),
    ("inspector1", "inspector", None, None, "督导员 赵督导"),
    ("inst_s", "institution", None, "inst_s", "新华评价中心 陈联系人"),
    ("inst_y", "institution", None, "inst_y", "江城汽车 刘联系人"),
]
APP_SEEDERS = [
    # institutions first: it files inst_s, whose filing the demo certificates are issued under
    "institutions.demo.seed_demo",
    # inst_s's certificates: institutions calls down into certificates.demo (certificates imports no app)
    "institutions.demo.seed_certificates_demo",
    "assessments.demo.seed_demo",
    "supervision.demo.seed_demo",
    "renewals.demo.seed_demo",
]


class Command(BaseCommand):
    help = "Create demo reference data, one user per role and the demo scenario. Refuses with DEBUG off."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password for every demo user")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, password, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates users with a known password; it refuses to run with DEBUG off "
                               "unless you pass --force.")
        with transaction.atomic():
            summary = reference_data_load()
            self.stdout.write(f"reference data: {summary}")
            self.stdout.write(f"occupations: {occupations_load()}")
            institutions = {}
            for key, (name, kind, code, region_code, address) in DEMO_INSTITUTIONS.items():
                institutions[key], _ = Institution.objects.update_or_create(
                    uscc=code,
                    defaults={"name": name, "kind": kind, "region": Region.objects.get(code=region_code),
                              "address": address},
                )
            for username, role, region_code, inst_key, full_name in DEMO_USERS:
                user = User.objects.filter(username=username).first()
                created = user is None
                user = user or User(username=username)
                user.role = role
                user.region = Region.objects.get(code=region_code) if region_code else None
                user.institution = institutions[inst_key] if inst_key else None
                user.last_name, user.first_name = full_name, ""
                user.is_staff = user.is_superuser = role == "admin"
                user.set_password(password)
                user.save()
                self.stdout.write(f"{'created' if created else 'updated'} user {username} ({role})")
            for path in APP_SEEDERS:
                if importlib.util.find_spec(path.rsplit(".", 1)[0]) is None:
                    continue  # that app has no demo scenario yet
                import_string(path)(self.stdout)
        self.stdout.write(self.style.SUCCESS(f"demo data ready; every demo user's password is {password!r}"))
