"""`manage.py load_reference_data [files...]`: regions, city codes and policy profiles from fixtures/reference/."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from filing_portal.regions.services import REFERENCE_DIR, ReferenceDataError, reference_data_load


class Command(BaseCommand):
    help = (
        "Create or update provinces, cities, city codes (NUM-08), policy profiles and jurisdiction "
        f"ceilings from reference JSON files (default: every file in {REFERENCE_DIR}). "
        "Idempotent; all files are checked before anything is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="reference JSON files (default: all shipped files)")

    def handle(self, *args, files, **options):
        try:
            summary = reference_data_load(paths=files or None)
        except ReferenceDataError as exc:
            raise CommandError(_("Reference data not loaded (nothing was saved):") + "\n" + exc.message) from exc
        except DatabaseError as exc:
            # The checks should leave nothing for the database to refuse; if it still does, say so plainly.
            raise CommandError(
                _("Reference data not loaded (nothing was saved): the database refused it: %(error)s") % {"error": exc}
            ) from exc
        for kind, counts in summary.items():
            parts = ", ".join(f"{number} {state}" for state, number in counts.items())
            self.stdout.write(f"{kind}: {parts}")
        self.stdout.write(self.style.SUCCESS(_("Reference data loaded.")))
