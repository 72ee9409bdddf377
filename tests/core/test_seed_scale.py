"""seed_scale (issue 8): province-size data at a tiny size — valid numbers, idempotent, resumable, audited.

Runs on SQLite (INSERTs) and on PostgreSQL (COPY, as in production-size runs).
"""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from assessments.models import AssessmentBatch, Candidate
from assessments.selectors import batch_queue
from certificates.models import Certificate, FilingNumber, NumberCounter
from certificates.numbers import parse_certificate_number, parse_filing_number
from certificates.services import HolderData, certificates_issue, filing_number_allocate
from filing_portal.accounts.models import User
from filing_portal.audit.models import AuditEvent
from filing_portal.core import scale_seed
from filing_portal.personal_data import id_number_index, validate_id_number
from filing_portal.regions.models import Region
from institutions.models import Filing, Institution

TINY = ["--institutions", "20", "--batches", "40", "--certificates", "200", "--chunk", "5", "--force"]


def seed(*extra: str) -> str:
    out = io.StringIO()
    call_command("seed_scale", *TINY, *extra, stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {"institutions": Institution.objects.count(), "filings": Filing.objects.count(),
            "batches": AssessmentBatch.objects.count(), "certificates": Certificate.objects.count(),
            "candidates": Candidate.objects.count(), "counters": NumberCounter.objects.count(),
            "staff": User.objects.filter(username__startswith="scale_", role__in=["city_staff", "province_staff"]).count(),
            "users": User.objects.count()}


def fingerprint() -> tuple:
    """What a run produced, without the ids (sequences are not rolled back) and the ID numbers drawn from them."""
    return (counts(), sorted(Certificate.objects.values_list("number", "holder_name", "status")),
            sorted(AssessmentBatch.objects.values_list("plan_number", "state")),
            sorted(Institution.objects.values_list("kind", "region__code", "address")))


@pytest.fixture
def seeded(db):
    seed()
    return counts()


def test_refuses_with_debug_off_unless_forced(db):
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_scale", "--institutions", "5", stdout=io.StringIO())
    assert not Institution.objects.exists()


def test_sizes_are_exact_and_a_second_run_adds_nothing__REC_01(seeded):
    assert seeded["institutions"] == 20 and seeded["batches"] == 40 and seeded["certificates"] == 200
    assert seeded["candidates"] >= 200 and seeded["staff"] == 2 * (55 + 4)  # every city and province office
    events = AuditEvent.objects.count()
    assert "already complete, nothing added" in seed()
    assert counts() == seeded and AuditEvent.objects.count() == events
    # one audit event per chunk (4 chunks of 5), plus the start and the end; the chain verifies
    assert AuditEvent.objects.filter(action="seed_scale.chunk").count() == 4
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "audit chain intact" in out.getvalue()


class Rollback(Exception):
    pass


def test_an_interrupted_run_resumes_to_what_an_uninterrupted_run_makes__REC_01(db, monkeypatch):
    try:
        with transaction.atomic():  # the uninterrupted run, then undone
            seed()
            expected = fingerprint()
            raise Rollback
    except Rollback:
        pass
    assert not Institution.objects.exists() and not AuditEvent.objects.exists()

    assert "stopped after 1 chunks" in seed("--stop-after-chunks", "1")
    assert Institution.objects.count() == 5
    # a crash in the middle of the next chunk (its certificates written, its candidates not): nothing of it stays
    write = scale_seed.Table.write

    def crash(self):
        if self.model is Candidate:
            raise RuntimeError("killed")
        return write(self)

    monkeypatch.setattr(scale_seed.Table, "write", crash)
    with pytest.raises(RuntimeError, match="killed"):
        seed()
    assert Institution.objects.count() == 5 and Certificate.objects.filter(batch__institution__isnull=False).count() \
        == Certificate.objects.count()
    monkeypatch.setattr(scale_seed.Table, "write", write)

    assert "resuming, 1 of 4 chunks done" in seed()
    assert fingerprint() == expected
    assert "already complete" in seed()
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "audit chain intact" in out.getvalue()


def test_numbers_follow_the_rules_and_the_counters_match__NUM_01_NUM_02_NUM_05_NUM_07(seeded):
    for cert in Certificate.objects.all():
        parts = parse_certificate_number(cert.number)
        assert (parts.filing_number, parts.year, parts.level, parts.serial) == (
            cert.filing_number, cert.issue_year, cert.level, cert.serial)
        assert parts.year == cert.issue_date.year % 100 and cert.filing.number == cert.filing_number
        assert cert.candidate.batch_id == cert.batch_id and cert.candidate.name == cert.holder_name
    # NUM-07: serials per filing, year and level run 1…n with no gap, and the counter says n
    for row in Certificate.objects.values("filing_number", "issue_year", "level").annotate(n=Count("id"),
                                                                                          top=Max("serial")):
        assert row["top"] == row["n"]
        scope = f"C{row['filing_number']}{row['issue_year']:02d}{row['level']}"
        assert NumberCounter.objects.get(scope=scope).last == row["n"]
    for number in FilingNumber.objects.all():
        parts = parse_filing_number(number.number)
        assert (parts.kind, parts.province_code, parts.city_code, parts.serial) == (
            number.kind, number.province_code, number.city_code, number.serial)
        counter = NumberCounter.objects.get(scope=f"F{number.province_code}{number.city_code}")
        assert number.serial <= counter.last
    assert set(Filing.objects.values_list("number", flat=True)) == set(
        FilingNumber.objects.values_list("number", flat=True))


def test_numbers_given_after_seeding_continue_the_series__NUM_02_NUM_07(seeded):
    filing = Filing.objects.filter(state="active", expires_on__gte=dt.date.today(),
                                   certificates__isnull=False).order_by("pk").first()
    assert filing is not None
    fn = filing.filing_number
    top_filing = FilingNumber.objects.filter(province_code=fn.province_code, city_code=fn.city_code).aggregate(
        top=Max("serial"))["top"]
    new = filing_number_allocate(kind="S", province_code=fn.province_code, city_code=fn.city_code)
    assert new.serial == top_filing + 1 and parse_filing_number(new.number).serial == new.serial

    last = filing.certificates.order_by("-issue_date", "-serial").first()
    top = filing.certificates.filter(issue_year=last.issue_year, level=last.level).aggregate(top=Max("serial"))["top"]
    issued = certificates_issue(
        filing_number=filing.number, institution_name=filing.institution.name, issue_date=last.issue_date,
        holders=[HolderData(holder_name="新考生", id_type="201", id_number="11010519491231002X", level=last.level,
                            occupation_code=last.occupation_code, occupation_name=last.occupation_name)])
    assert issued[0].serial == top + 1
    assert parse_certificate_number(issued[0].number).serial == top + 1
    assert Certificate.objects.filter(number=issued[0].number).count() == 1


def test_id_numbers_are_valid_and_stored_encrypted__CERT_02(seeded):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM certificates_certificate")
        raw = [r[0] for r in cursor.fetchall()]
    assert raw and all(value.startswith("v1:") for value in raw)  # ciphertext at rest
    numbers = set()
    for cert in Certificate.objects.all():
        assert validate_id_number("201", cert.id_number) == cert.id_number  # GB 11643, known county, check digit
        assert cert.id_number_hash == id_number_index(cert.id_number) == cert.candidate.id_number_hash
        numbers.add(cert.id_number)
    assert len(numbers) == 200  # one person each
    for candidate in Candidate.objects.filter(certificate__isnull=True)[:50]:
        assert validate_id_number("201", candidate.id_number) == candidate.id_number


def test_the_public_and_the_staff_find_the_data__CERT_05_PUB_01(seeded, client):
    cache.clear()
    cert = Certificate.objects.filter(status="valid").order_by("pk").first()
    answer = client.post("/api/v1/public/certificates/verify/", {"number": cert.number, "name": cert.holder_name},
                         content_type="application/json").json()
    assert answer["found"] is True
    shown = answer["certificate"] if "certificate" in answer else answer["certificates"][0]
    assert shown["number"] == cert.number and shown["id_number_masked"].count("*") == 11
    filing = Filing.objects.filter(state="active").select_related("institution").order_by("pk").first()
    html = client.get("/directory/", {"q": filing.institution.name}).content.decode()
    assert filing.number in html
    batch = AssessmentBatch.objects.exclude(submitted_on__isnull=True).select_related("handling_region").first()
    staff = User.objects.get(username=f"scale_{batch.handling_region.code}_1")
    assert batch in batch_queue(staff)
    cache.clear()


def test_each_filing_knows_its_last_conducted_exam(seeded):
    """Filing.last_batch_exam_on (kept by supervision on every batch save) is written by the COPY too."""
    if "last_batch_exam_on" not in {f.name for f in Filing._meta.get_fields()}:
        pytest.skip("Filing has no last_batch_exam_on in this schema")
    for filing in Filing.objects.all():
        last = filing.batches.filter(state__in=scale_seed.CONDUCTED_STATES).aggregate(top=Max("exam_start"))["top"]
        assert filing.last_batch_exam_on == last


def test_the_oversight_lists_have_rows_in_valid_states__REN_01_REN_07_SUP_01_SUP_02_SUP_06(seeded):
    """After the chunks: renewals in their window, complaints, cases, a verifiable draw per province with its
    inspections, and notifications, so the staff queues and API lists of each have rows to page through."""
    from filing_portal.notifications.models import Notification
    from filing_portal.regions.jurisdiction import profile_for, renewal_window_start
    from renewals.models import RenewalApplication
    from renewals.selectors import renewal_queue
    from supervision.complaints import complaints_visible_to
    from supervision.draws import draw_verify, draws_visible_to
    from supervision.inspections import inspections_visible_to
    from supervision.models import Case, Complaint, Draw, Inspection
    from supervision.selectors import cases_visible_to

    CASE_STATES = {"open", "investigating", "closed", "dismissed"}

    renewals = list(RenewalApplication.objects.select_related("filing__handling_region", "created_by"))
    assert renewals
    for r in renewals:
        profile = profile_for(r.filing.handling_region)
        assert r.filing.state == "active" and r.expires_on == r.filing.expires_on
        assert renewal_window_start(profile, r.expires_on) <= timezone.localdate() <= r.expires_on
        assert r.created_by.role == "institution" and r.created_by.institution_id == r.filing.institution_id
        assert (r.submitted_on is None) == (r.state == "draft")
        if r.state == "under_evaluation":
            assert r.evaluation_due > r.submitted_on and r.evaluator.region_id == r.filing.handling_region_id
    assert Complaint.objects.exists() and Case.objects.exists()
    for complaint in Complaint.objects.all():
        assert complaint.response_due > complaint.received_on and complaint.ack_number.startswith("TS")
        assert (complaint.status == "answered") == bool(complaint.answered_on and complaint.response)
    draws = list(Draw.objects.all())
    assert {d.region.code for d in draws} <= {r.code for r in Region.objects.filter(level="province")} and draws
    for draw in draws:  # the public can re-run the draw from its revealed seed and get the published selection
        check = draw_verify(draw, draw.seed)
        assert check["commitment_matches"] and check["selection_matches"]
        assert Inspection.objects.filter(draw=draw).count() == len(draw.selection) == draw.sample_size
    for inspection in Inspection.objects.prefetch_related("team", "findings"):
        assert inspection.team.count() == 2
        assert inspection.findings.count() == (0 if inspection.outcome == "pending" else 8)
    # each row is handled by its filing's office, and that office's staff find it in their lists
    for case in Case.objects.select_related("filing"):
        assert case.region_id == case.filing.handling_region_id and case.state in CASE_STATES
    offices = dict(Filing.objects.values_list("institution_id", "handling_region_id"))
    assert all(c.region_id == offices[c.institution_id] for c in Complaint.objects.all())
    for province in Region.objects.filter(level="province"):
        user = User.objects.get(username=f"scale_{province.code}_1")
        assert Notification.objects.filter(user=user).count() == 120
        mine = Case.objects.filter(Q(region=province) | Q(region__province=province))
        assert set(cases_visible_to(user)) == set(mine)
        assert set(complaints_visible_to(user)) == set(Complaint.objects.filter(
            Q(region=province) | Q(region__province=province)))
        assert set(inspections_visible_to(user)) >= set(Inspection.objects.filter(region=province))
        assert set(draws_visible_to(user)) >= set(Draw.objects.filter(region=province))
        pending = RenewalApplication.objects.filter(state__in=["submitted", "under_evaluation"]).filter(
            Q(filing__handling_region=province) | Q(filing__handling_region__province=province))
        assert set(renewal_queue(user)) >= set(pending)


def test_a_run_finished_before_the_oversight_part_gets_it_on_the_next_run(db, monkeypatch):
    from filing_portal.core import scale_seed_oversight
    from supervision.models import Draw

    monkeypatch.setattr(scale_seed_oversight, "seed_oversight", lambda ctx: None)
    seed()
    assert not Draw.objects.exists()
    monkeypatch.undo()
    assert "added the oversight rows" in seed()
    draws = Draw.objects.count()
    assert draws and "already complete, nothing added" in seed() and Draw.objects.count() == draws


def test_a_second_run_beside_the_first_adds_its_own_oversight_rows(seeded):
    """A run of another seed adds its institutions beside the first; its renewals, inspectors and notifications do
    not clash with the first run's (one open renewal per filing, one account per institution)."""
    from filing_portal.notifications.models import Notification
    from renewals.models import RenewalApplication
    from supervision.models import Draw, InspectorProfile

    renewals, draws = RenewalApplication.objects.count(), Draw.objects.count()
    notifications = Notification.objects.count()
    seed("--seed", "2027")
    assert Institution.objects.count() == 40 and InspectorProfile.objects.count() == 6 * 4
    assert RenewalApplication.objects.count() >= renewals and Draw.objects.count() == 2 * draws
    assert Notification.objects.count() == 2 * notifications
