"""Province-size data: `python manage.py seed_scale` (issue 8).

    python manage.py seed_scale [--institutions 50000] [--batches 200000] [--certificates 1000000]
                                [--seed 2026] [--chunk 1000] [--password P] [--force]

By default 50,000 institutions over the shipped provinces' cities (2 % with an open initial application in
the offices' queues, 1 % province-affiliated; filings mostly active, some suspended, expired, lapsed,
revoked or terminated), 200,000 batches (mostly results reported or certificates issued, some ahead in
the plan queue) and 1,000,000 certificates of the catalogue's occupations and levels 1-5, each with its
candidate; two staff users per city and per province (`scale_<region code>_<n>`, one password). Everything
the public verification page, the public directory, the staff queues and the API lists read is there: after
the chunks, renewals, complaints, cases, a published draw per province with its inspections, and notifications
for the staff (core/scale_seed_oversight.py).

The rows are written with COPY (PostgreSQL; INSERTs elsewhere) in chunks of `--chunk` institutions, each
chunk one transaction; ids come from the tables' sequences, no constraint or index is dropped. Numbers
follow the real rules: filing serials are reserved per city from the number counters (NUM-01/02/08),
certificate numbers are built by certificates.numbers (NUM-05/06/07) and their counters written, so the
next number allocated or issued after seeding continues the series. ID numbers are valid resident ID
numbers, encrypted and indexed as the app stores them.

Audit: one audit event per chunk (`seed_scale.chunk`, with its row counts), plus `seed_scale.start` and
`seed_scale.done`, through the kernel's `audit_record`, never one per row; `verify_audit` passes.

Idempotent and resumable: the run is identified by its sizes and seed, and a chunk's audit event commits
with its rows. Re-running the same command after a kill continues with the first missing chunk; after
completion it adds nothing. A different size or seed is a different run, added beside the first.
Like seed_demo, it refuses to run with DEBUG off unless --force (the staff users have a known password).
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from filing_portal.core import scale_seed, scale_seed_oversight
from filing_portal.core.errors import DomainError

DEFAULT_PASSWORD = "scale-Pass-2026"


class Command(BaseCommand):
    help = ("Seed province-size data (default 50,000 institutions, 200,000 batches, 1,000,000 certificates) with "
            "COPY in chunks; idempotent and resumable (one audit event per chunk). Refuses with DEBUG off "
            "unless --force.")

    def add_arguments(self, parser):
        parser.add_argument("--institutions", type=int, default=50_000, help="institutions (default 50,000)")
        parser.add_argument("--batches", type=int, default=200_000, help="assessment batches (default 200,000)")
        parser.add_argument("--certificates", type=int, default=1_000_000,
                            help="certificates, each with its candidate (default 1,000,000)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed: the same seed, the same data")
        parser.add_argument("--chunk", type=int, default=1000,
                            help="institutions per chunk, one transaction each (default 1,000)")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password of the scale_* staff users")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")
        parser.add_argument("--stop-after-chunks", type=int, default=None, metavar="N",
                            help="stop after writing N chunks (to try resuming); run again to continue")

    def handle(self, *args, institutions, batches, certificates, seed, chunk, password, force, stop_after_chunks,
               **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_scale creates staff users with a known password; it refuses to run with DEBUG "
                               "off unless you pass --force.")
        if min(institutions, batches, certificates) < 0 or chunk < 1 or institutions < 1:
            raise CommandError("sizes must not be negative, and --institutions and --chunk at least 1")
        sizes = scale_seed.Sizes(institutions, batches, certificates, seed)
        started = time.perf_counter()
        scale_seed.reference_data(stdout=self.stdout)
        try:
            ctx, done, finished = scale_seed.prepare(sizes, chunk=chunk, password=password)
        except (ValueError, DomainError) as exc:  # too few batches for the certificates, serials used up, …
            raise CommandError(str(exc)) from exc
        if finished:
            oversight = scale_seed_oversight.seed_oversight(ctx)  # a run finished before this part existed
            if oversight is None:
                self.stdout.write(f"seed_scale {sizes.key}: already complete, nothing added")
            else:
                self.stdout.write(f"seed_scale {sizes.key}: already complete; added the oversight rows ("
                                  + ", ".join(f"{v:,} {k}" for k, v in oversight.items()) + ")")
            return
        if done:
            self.stdout.write(f"seed_scale {sizes.key}: resuming, {len(done)} of {ctx.chunks} chunks done")
        written = 0
        totals: dict[str, int] = {}
        for index in range(ctx.chunks):
            if index in done:
                continue
            if stop_after_chunks is not None and written >= stop_after_chunks:
                self.stdout.write(f"stopped after {written} chunks; run the same command again to continue")
                return
            t0 = time.perf_counter()
            with transaction.atomic():
                counts = scale_seed.build_chunk(ctx, index)
            written += 1
            for k, v in counts.items():
                totals[k] = totals.get(k, 0) + v
            self.stdout.write(f"chunk {index + 1}/{ctx.chunks}: {counts['institution']:,} institutions, "
                              f"{counts['batch']:,} batches, {counts['certificate']:,} certificates, "
                              f"{counts['candidate']:,} candidates in {time.perf_counter() - t0:.1f} s")
        oversight = scale_seed_oversight.seed_oversight(ctx)
        for k, v in (oversight or {}).items():
            totals[k] = totals.get(k, 0) + v
        with transaction.atomic():
            scale_seed.finish(ctx)
        summary = ", ".join(f"{v:,} {k}" for k, v in totals.items())
        self.stdout.write(self.style.SUCCESS(
            f"seed_scale {sizes.key} complete in {time.perf_counter() - started:.1f} s (this invocation: {summary})"))
