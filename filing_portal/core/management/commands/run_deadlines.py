from datetime import date

from django.core.management.base import BaseCommand, CommandError

from filing_portal.core.deadlines import run_deadlines


class Command(BaseCommand):
    help = "Apply every transition due on a date (the same sweep Celery beat runs). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD; default today (Asia/Shanghai)")

    def handle(self, *args, as_of=None, **options):
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError as exc:
            raise CommandError(f"--as-of must be a date written YYYY-MM-DD, got {as_of!r}.") from exc
        results = run_deadlines(day)
        failed = False
        for r in results:
            if r.error:
                failed = True
                self.stderr.write(f"{r.name}: FAILED {r.error}")
            else:
                self.stdout.write(f"{r.name}: {r.changed} changed")
        if not results:
            self.stdout.write("no sweeps registered")
        if failed:
            raise CommandError("one or more sweeps failed; see above (the others were applied).")
