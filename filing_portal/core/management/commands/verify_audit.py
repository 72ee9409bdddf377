from django.core.management.base import BaseCommand, CommandError

from filing_portal.audit.services import audit_verify_chain


class Command(BaseCommand):
    help = "Walk the audit chain (REC-01/02) and report the first broken link."

    def handle(self, *args, **options):
        report = audit_verify_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"audit chain intact: {report.checked} events checked"))
            return
        raise CommandError(
            f"audit chain broken at event #{report.broken_at}: {report.reason} "
            f"({report.checked} events before it are intact)"
        )
