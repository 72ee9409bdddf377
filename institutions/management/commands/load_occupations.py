"""`manage.py load_occupations [file]`: the occupation catalogue (职业分类大典, ELIG-03).

The default file is fixtures/occupations/occupations.json.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from institutions.occupation_services import OCCUPATIONS_FILE, OccupationDataError, occupations_load


class Command(BaseCommand):
    help = (
        "Create or update occupations, work types and evaluation norms from the catalogue file "
        f"(default: {OCCUPATIONS_FILE}). Idempotent; the whole file is checked before anything is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="catalogue JSON file (default: the shipped one)")

    def handle(self, *args, file=None, **options):
        try:
            summary = occupations_load(path=file)
        except OccupationDataError as exc:
            message = _("Occupation catalogue not loaded (nothing was saved):")
            raise CommandError(message + "\n" + exc.message) from exc
        except DatabaseError as exc:
            raise CommandError(
                _("Occupation catalogue not loaded (nothing was saved): the database refused it: %(error)s")
                % {"error": exc}
            ) from exc
        for kind, counts in summary.items():
            parts = ", ".join(f"{number} {state}" for state, number in counts.items())
            self.stdout.write(f"{kind}: {parts}")
        self.stdout.write(self.style.SUCCESS(_("Occupation catalogue loaded.")))
