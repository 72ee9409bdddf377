"""The institution's work ledger (工作台账, REC-03): the page, the workbook, who sees it, and the audit."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from assessments.ledger import BATCH_HEADER, BATCH_SHEET, CERTIFICATE_HEADER, CERTIFICATE_SHEET
from assessments.models import AssessmentBatch, BatchViolation, SpotCheck
from certificates.models import Certificate
from certificates.services import certificates_mark_uploaded
from filing_portal.audit.models import AuditEvent
from filing_portal.personal_data import mask_id_number
from tests.assessments.conftest import plan
from tests.assessments.test_batches import scheduled  # noqa: F401  (a fixture)
from tests.assessments.test_exports import CAR, assessed_batch, issued  # noqa: F401  (issued: a fixture)

D = dt.date.fromisoformat
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ledger(issued, filing, people, occupations):  # noqa: F811
    """The issued batch (6 candidates, 5 passed, 5 certificates: 2 uploaded, 1 voided; a spot check and a
    violation), a second assessed batch of the next year (2 candidates, 1 passed) and a draft plan."""
    certificates = list(Certificate.objects.filter(batch=issued).order_by("number"))
    certificates_mark_uploaded(ids=[c.pk for c in certificates[:2]])
    Certificate.objects.filter(pk=certificates[-1].pk).update(status="voided", voided_on=D("2026-05-10"),
                                                              void_reason="重复发证")
    Certificate.objects.filter(pk=certificates[0].pk).update(holder_name="=HYPERLINK(\"http://x\",\"y\")")
    SpotCheck.objects.create(batch=issued, checked_by=people["city_hefei"], checked_on=D("2026-04-20"),
                             step="理论考试", findings="正常", compliant=True)
    BatchViolation.objects.create(batch=issued, rule="ASM-08", recorded_on=D("2026-04-30"), detail="资格审核不严",
                                  ineligible_count=1, assessed_count=6)
    later = assessed_batch(filing, people, occupations, exam="2026-04-22", planned=10, first=200,
                           outcomes=[(CAR, 3, True), (CAR, 4, False)])
    AssessmentBatch.objects.filter(pk=later.pk).update(exam_start=D("2027-01-12"), exam_end=D("2027-01-13"))
    draft = plan(filing, people, occupations, exam="2026-06-10")
    return {"issued": issued, "later": AssessmentBatch.objects.get(pk=later.pk), "draft": draft,
            "certificates": certificates}


def _workbook(response):
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_the_ledger_page_lists_every_batch_newest_first_with_totals__REC_03(client, ledger, people):
    client.force_login(people["inst_user"])
    response = client.get("/my/ledger/")
    assert response.status_code == 200
    held, later, draft = ledger["issued"], ledger["later"], ledger["draft"]
    rows = response.context["batches"]
    assert [b.plan_number for b in rows] == [later.plan_number, draft.plan_number, held.plan_number]
    row = rows[2]
    assert (row.planned_count, row.candidate_count, row.assessed_count, row.passed_count) == (40, 6, 6, 5)
    assert (row.certificate_count, row.uploaded_count, row.spot_check_count, row.violation_count) == (5, 2, 1, 1)
    assert row.publish_from == D("2026-04-21") and row.reported_on == D("2026-04-28")
    assert row.pass_rate_text == "83.3%"
    totals = response.context["totals"]
    assert (totals.batches, totals.planned, totals.candidates, totals.assessed, totals.passed) == (3, 90, 8, 8, 6)
    assert (totals.certificates, totals.uploaded, totals.spot_checks, totals.violations) == (5, 2, 1, 1)
    html = response.content.decode()
    for text in (held.plan_number, later.plan_number, draft.plan_number, held.filing.number, "2026-04-21",
                 "2026-04-28", "2027-01-12", "合肥市蜀山区实训楼1号", "汽车维修工（汽车机械维修工）三级、四级",
                 "83.3%", "75.0%", "50.0%"):
        assert text in html
    assert 'href="/my/ledger/ledger.xlsx"' in html


def test_the_ledger_filters_by_year_and_state__REC_03(client, ledger, people):
    client.force_login(people["inst_user"])
    by_year = client.get("/my/ledger/", {"year": "2027"}).context
    assert [b.plan_number for b in by_year["batches"]] == [ledger["later"].plan_number]
    assert by_year["years"] == [2027, 2026]
    by_state = client.get("/my/ledger/", {"year": "2026", "state": "certificates_issued"}).context
    assert [b.plan_number for b in by_state["batches"]] == [ledger["issued"].plan_number]
    assert by_state["totals"].passed == 5
    ignored = client.get("/my/ledger/", {"year": "1999", "state": "nonsense"}).context
    assert len(ignored["batches"]) == 3  # a value the ledger does not hold filters nothing


def test_the_ledger_page_and_workbook_run_a_constant_number_of_queries__REC_03(client, issued, filing,  # noqa: F811
                                                                              people, occupations):
    client.force_login(people["inst_user"])
    client.get("/my/ledger/")  # warm the session and the content types
    with CaptureQueriesContext(connection) as small:
        assert len(client.get("/my/ledger/").context["batches"]) == 1
    with CaptureQueriesContext(connection) as small_export:
        assert len(_rows(_workbook(client.get("/my/ledger/ledger.xlsx"))[CERTIFICATE_SHEET])) == 6
    assessed_batch(filing, people, occupations, exam="2026-04-22", planned=10, first=200,
                   outcomes=[(CAR, 3, True), (CAR, 4, False), (CAR, 3, True)])
    plan(filing, people, occupations, exam="2026-06-10")
    plan(filing, people, occupations, exam="2026-06-11", levels=(3,))
    with CaptureQueriesContext(connection) as large:
        assert len(client.get("/my/ledger/").context["batches"]) == 4
    assert len(large) == len(small)
    with CaptureQueriesContext(connection) as large_export:
        assert len(_rows(_workbook(client.get("/my/ledger/ledger.xlsx"))[BATCH_SHEET])) == 6
    assert len(large_export) == len(small_export)


def test_the_ledger_workbook_holds_the_batches_the_totals_and_the_certificates_masked__REC_03(client, ledger,
                                                                                            people):
    client.force_login(people["inst_user"])
    book = _workbook(client.get("/my/ledger/ledger.xlsx"))
    assert book.sheetnames == [BATCH_SHEET, CERTIFICATE_SHEET] == ["评价批次台账", "证书台账"]
    batches = _rows(book[BATCH_SHEET])
    assert batches[0] == BATCH_HEADER
    held, later, draft = ledger["issued"], ledger["later"], ledger["draft"]
    assert [r[0] for r in batches[1:]] == [later.plan_number, draft.plan_number, held.plan_number, "合计"]
    row = dict(zip(BATCH_HEADER, batches[3], strict=True))
    assert row["备案编号"] == held.filing.number
    assert (row["认定开始日期"], row["结果公示日期"], row["结果上报日期"], row["发证日期"]) == (
        "2026-04-20", "2026-04-21", "2026-04-28", "2026-04-28")
    assert row["认定地点"] == "合肥市蜀山区实训楼1号" and row["职业（工种）及等级"] == "汽车维修工（汽车机械维修工）三级、四级"
    assert (row["计划人数"], row["报名人数"], row["实际认定人数"], row["合格人数"]) == (40, 6, 6, 5)
    assert row["合格率"] == pytest.approx(5 / 6)
    assert (row["发放证书数"], row["已上传证书数"], row["督导抽查次数"], row["违规记录数"]) == (5, 2, 1, 1)
    with translation.override("zh-hans"):
        assert row["状态"] == str(AssessmentBatch.State.CERTIFICATES_ISSUED.label)  # Chinese, whatever the page's
    totals = dict(zip(BATCH_HEADER, batches[4], strict=True))
    assert (totals["计划人数"], totals["报名人数"], totals["实际认定人数"], totals["合格人数"]) == (90, 8, 8, 6)
    assert totals["合格率"] == pytest.approx(6 / 8)
    assert (totals["发放证书数"], totals["已上传证书数"], totals["督导抽查次数"], totals["违规记录数"]) == (5, 2, 1, 1)

    certificates = _rows(book[CERTIFICATE_SHEET])
    assert certificates[0] == CERTIFICATE_HEADER
    issued_certs = ledger["certificates"]
    assert [r[0] for r in certificates[1:]] == [c.number for c in issued_certs]  # the later batch issued none
    for cells, cert in zip(certificates[1:], issued_certs, strict=True):
        assert cells[1] == held.plan_number
        assert cells[3] == mask_id_number(cert.id_number) and "*" in cells[3]
        assert cert.id_number not in cells  # never the full ID number
    first, last = certificates[1], certificates[-1]
    assert first[6:] == ("三级/高级工", "2026-04-28", "有效", "是")
    assert last[8:] == ("作废", "否")


def test_a_holder_name_starting_with_equals_is_escaped__REC_03(client, ledger, people):
    client.force_login(people["inst_user"])
    sheet = _workbook(client.get("/my/ledger/ledger.xlsx"))[CERTIFICATE_SHEET]
    cell = sheet.cell(row=2, column=CERTIFICATE_HEADER.index("姓名") + 1)
    assert cell.value == "'=HYPERLINK(\"http://x\",\"y\")" and cell.data_type == "s"


def test_the_export_is_audited_with_counts_not_rows__REC_03(client, ledger, people):
    client.force_login(people["inst_user"])
    _workbook(client.get("/my/ledger/ledger.xlsx", {"year": "2026"}))
    event = AuditEvent.objects.get(action="assessments.ledger_export")
    assert event.actor == people["inst_user"]
    assert (event.object_type, event.object_id) == ("institutions.institution", str(people["inst"].pk))
    assert event.data == {"year": 2026, "state": "", "batches": 2, "certificates": 5}
    assert not any(c.id_number in str(event.data) for c in ledger["certificates"])


def test_another_institution_sees_none_of_it_and_gets_404__REC_03_JUR_03(client, ledger, people):
    client.force_login(people["other_user"])
    page = client.get("/my/ledger/")
    assert page.status_code == 200 and page.context["batches"] == []
    assert ledger["issued"].plan_number not in page.content.decode()
    other_book = _workbook(client.get("/my/ledger/ledger.xlsx"))
    assert _rows(other_book[BATCH_SHEET])[1:] == [("合计", None, None, None, None, None, 0, 0, 0, 0, None, None,
                                                  None, None, 0, 0, None, 0, 0)]
    assert _rows(other_book[CERTIFICATE_SHEET])[1:] == []
    pk = people["inst"].pk
    assert client.get(f"/staff/institutions/{pk}/ledger/").status_code == 404
    assert client.get(f"/staff/institutions/{pk}/ledger/ledger.xlsx").status_code == 404


def test_the_office_in_jurisdiction_sees_the_ledger_and_downloads_it__REC_03_JUR_03(client, ledger, people):
    pk = people["inst"].pk
    for name in ("city_hefei", "province_ah"):
        client.force_login(people[name])
        page = client.get(f"/staff/institutions/{pk}/ledger/")
        assert page.status_code == 200
        # the office sees the plans filed with it, not the institution's unsent draft
        assert [b.plan_number for b in page.context["batches"]] == [ledger["later"].plan_number,
                                                                     ledger["issued"].plan_number]
        html = page.content.decode()
        assert f'href="/staff/batches/{ledger["issued"].pk}/"' in html and ledger["draft"].plan_number not in html
        book = _workbook(client.get(f"/staff/institutions/{pk}/ledger/ledger.xlsx"))
        assert [r[0] for r in _rows(book[BATCH_SHEET])[1:]] == [ledger["later"].plan_number,
                                                                ledger["issued"].plan_number, "合计"]
        assert len(_rows(book[CERTIFICATE_SHEET])) == 6
    events = AuditEvent.objects.filter(action="assessments.ledger_export").order_by("pk")
    assert [e.actor for e in events] == [people["city_hefei"], people["province_ah"]]


def test_staff_of_another_city_or_province_get_404__REC_03_JUR_03(client, ledger, people):
    pk = people["inst"].pk
    for name in ("city_wuhu", "city_chengdu"):
        client.force_login(people[name])
        assert client.get(f"/staff/institutions/{pk}/ledger/").status_code == 404
        assert client.get(f"/staff/institutions/{pk}/ledger/ledger.xlsx").status_code == 404
    assert not AuditEvent.objects.filter(action="assessments.ledger_export").exists()


def test_the_batch_lists_link_to_the_ledger__REC_03(client, ledger, people):
    client.force_login(people["inst_user"])
    assert 'href="/my/ledger/"' in client.get("/my/batches/").content.decode()
    client.force_login(people["city_hefei"])
    assert f'href="/staff/institutions/{people["inst"].pk}/ledger/"' in client.get("/staff/batches/").content.decode()


def test_the_staff_plan_list_pages_waiting_plans_first__ASM_01_JUR_03(client, ledger, people, monkeypatch):
    """A province holds tens of thousands of plans: the list shows a page at a time, plans waiting for approval
    first (a page of one here); the draft is never listed."""
    from assessments.models import AssessmentBatch
    from assessments.views import staff as staff_views

    monkeypatch.setattr(staff_views, "PAGE_SIZE", 1)
    client.force_login(people["city_hefei"])
    listed = list(AssessmentBatch.objects.exclude(submitted_on__isnull=True))
    first = client.get("/staff/batches/")
    html = first.content.decode()
    assert first.status_code == 200 and first.context["page"].paginator.count == len(listed) >= 2
    assert len(first.context["batches"]) == 1 and 'rel="next"' in html and ledger["draft"].plan_number not in html
    last = client.get(f"/staff/batches/?page={len(listed)}")
    assert len(last.context["batches"]) == 1 and 'rel="prev"' in last.content.decode()
    shown = {first.context["batches"][0].pk, last.context["batches"][0].pk}
    assert len(shown) == 2
