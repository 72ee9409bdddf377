"""The batch pages: the plan form, the batch page and its buttons, candidates, results, the staff workbench,
spot checks, exports and the public result publication (ASM-01…08, JUR-03/04, REN-02, SUP-07, PUB-04)."""

import datetime as dt
import io
import sys
import types

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from assessments.models import AssessmentBatch, ResultObjection, SpotCheck
from assessments.services import (
    CandidateImportError,
    batch_publish_results,
    batch_submit,
    candidates_add,
)
from filing_portal.audit.models import AuditEvent
from filing_portal.core.errors import DomainError
from institutions.models import FilingScope
from institutions.services.filings import filing_suspend
from tests.assessments.conftest import STAFF, person, plan
from tests.assessments.test_batches import conduct_with_results, scheduled  # noqa: F401
from tests.institutions.conftest import on

D = dt.date.fromisoformat
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def login(client, user):
    client.force_login(user)
    return client


def submitted(filing, people, occupations, **kw):
    batch = plan(filing, people, occupations, **kw)
    with on("2026-04-01"):
        batch_submit(batch=batch, acting_user=people["inst_user"])
    return AssessmentBatch.objects.get(pk=batch.pk)


def published(batch, people):
    batch = conduct_with_results(batch, people)
    with on("2026-04-21"):
        return batch_publish_results(batch=batch, acting_user=people["inst_user"])


def plan_post(filing, **overrides):
    scope = FilingScope.objects.filter(filing=filing, active=True, level__in=(3, 4)).order_by("level")
    data = {
        "filing": filing.pk, "exam_start": "2026-04-20", "exam_end": "2026-04-20",
        "venue_address": "合肥市蜀山区实训楼1号", "theory": "on", "practical": "on", "method": "exam",
        "candidate_source": "社会人员", "planned_count": "40", "items": [str(s.pk) for s in scope],
        "staff-TOTAL_FORMS": "8", "staff-INITIAL_FORMS": "0", "staff-MIN_NUM_FORMS": "0",
        "staff-MAX_NUM_FORMS": "60",
    }
    for i in range(8):
        data[f"staff-{i}-role"] = ("invigilator", "assessor", "supervisor")[i % 3]
    for i, p in enumerate(STAFF):
        data.update({f"staff-{i}-role": p.role, f"staff-{i}-name": p.name, f"staff-{i}-phone": p.phone,
                     f"staff-{i}-organisation": p.organisation})
    data.update(overrides)
    return data


# -- the plan form ------------------------------------------------------------------------------------------------
def test_the_plan_form_creates_a_draft__ASM_01(client, filing, people, occupations):
    login(client, people["inst_user"])
    with on("2026-04-01"):
        page = client.get("/my/batches/new/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "汽车维修工（汽车机械维修工）三级" in text and "汽车维修工（汽车机械维修工）五级" in text
        assert '<option value="合肥市蜀山区实训楼1号">' in text  # the filed venue is suggested
        response = client.post("/my/batches/new/", plan_post(filing))
    batch = AssessmentBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/my/batches/{batch.pk}/"
    assert batch.state == "draft" and batch.filing == filing and batch.exam_start == D("2026-04-20")
    assert sorted(batch.items.values_list("level", flat=True)) == [3, 4]
    assert sorted(batch.staff.values_list("role", flat=True)) == ["assessor", "invigilator", "supervisor"]


def test_the_plan_form_keeps_what_was_typed_and_names_the_missing_role__ASM_01(client, filing, people,
                                                                                occupations):
    login(client, people["inst_user"])
    data = plan_post(filing, **{"staff-2-name": "", "staff-2-phone": "", "venue_address": "合肥市包河区某路8号"})
    with on("2026-04-01"):
        response = client.post("/my/batches/new/", data)
    text = response.content.decode()
    assert response.status_code == 200 and not AssessmentBatch.objects.exists()
    assert "ASM-01" in text and 'value="合肥市包河区某路8号"' in text and 'value="钱监考"' in text


def test_a_suspended_filing_shows_REN_02_on_the_form_and_the_refusal_is_recorded__REN_02_SUP_07(
        client, filing, people, occupations):
    filing_suspend(filing=filing, reason="整改", acting_user=people["city_hefei"])
    login(client, people["inst_user"])
    with on("2026-04-01"):
        page = client.get("/my/batches/new/")
        assert "REN-02" in page.content.decode() and filing.number in page.content.decode()
        response = client.post("/my/batches/new/", plan_post(filing))
    assert "REN-02" in response.content.decode()
    assert not AssessmentBatch.objects.exists()
    assert AuditEvent.objects.filter(action="assessmentbatch.create.refused", data__rule="SUP-07").exists()


def test_more_rows_adds_blank_staff_rows_without_saving(client, filing, people, occupations):
    login(client, people["inst_user"])
    with on("2026-04-01"):
        response = client.post("/my/batches/new/", {**plan_post(filing), "add_rows": "1"})
    assert response.status_code == 200 and not AssessmentBatch.objects.exists()
    assert 'name="staff-TOTAL_FORMS" value="12"' in response.content.decode()


# -- the batch page -----------------------------------------------------------------------------------------------
def test_the_batch_page_shows_the_buttons_available_transitions_allow__ASM_01(client, filing, people, occupations):
    batch = plan(filing, people, occupations)
    login(client, people["inst_user"])
    with on("2026-04-01"):
        text = client.get(f"/my/batches/{batch.pk}/").content.decode()
        assert f'action="/batches/{batch.pk}/transitions/submit/"' in text
        assert f'action="/batches/{batch.pk}/transitions/cancel/"' in text
        assert "transitions/approve/" not in text and "transitions/conduct/" not in text
        assert "合肥市蜀山区实训楼1号" in text and "钱监考" in text and 'data-action="create"' in text
        response = client.post(f"/batches/{batch.pk}/transitions/submit/")
    assert response.status_code == 302
    assert AssessmentBatch.objects.get(pk=batch.pk).state == "submitted"
    with on("2026-04-01"):
        text = client.get(f"/my/batches/{batch.pk}/").content.decode()
    assert "transitions/submit/" not in text and "transitions/cancel/" in text and 'data-action="submit"' in text


def test_a_guard_that_holds_back_submit_is_named_on_the_page__ASM_01(client, filing, people, occupations):
    late = plan(filing, people, occupations, exam="2026-04-15")  # 9 working days after 2026-04-01
    login(client, people["inst_user"])
    with on("2026-04-01"):
        text = client.get(f"/my/batches/{late.pk}/").content.decode()
        assert "transitions/submit/" not in text and "ASM-01" in text
        response = client.post(f"/batches/{late.pk}/transitions/submit/", follow=True)
    assert "ASM-01" in response.content.decode()
    assert AssessmentBatch.objects.get(pk=late.pk).state == "draft"


def test_cancel_needs_a_reason__ASM_01(client, filing, people, occupations):
    batch = plan(filing, people, occupations)
    login(client, people["inst_user"])
    with on("2026-04-01"):
        client.post(f"/batches/{batch.pk}/transitions/cancel/", {"reason": ""})
        assert AssessmentBatch.objects.get(pk=batch.pk).state == "draft"
        client.post(f"/batches/{batch.pk}/transitions/cancel/", {"reason": "场地检修"})
    batch.refresh_from_db()
    assert batch.state == "cancelled" and batch.cancel_reason == "场地检修"


def test_another_institution_gets_404__JUR_03(client, filing, people, occupations):
    batch = plan(filing, people, occupations)
    login(client, people["other_user"])
    assert client.get(f"/my/batches/{batch.pk}/").status_code == 404
    assert client.post(f"/batches/{batch.pk}/transitions/cancel/", {"reason": "x"}).status_code == 404


def test_the_list_marks_an_overdue_report_and_runs_constant_queries__ASM_05(client, scheduled, people, filing,  # noqa: F811
                                                                             occupations):
    batch = published(scheduled, people)
    login(client, people["inst_user"])

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/my/batches/").status_code == 200
        return len(ctx.captured_queries)

    with on("2026-05-14"):
        text = client.get("/my/batches/").content.decode()
        assert batch.plan_number in text and "2026-05-13" in text and 'class="overdue"' in text
        before = queries()
        for _ in range(3):
            plan(filing, people, occupations)
        assert queries() == before


# -- candidates ---------------------------------------------------------------------------------------------------
def test_one_candidate_by_hand_with_the_error_next_to_the_field__CERT_02(client, scheduled, people):  # noqa: F811
    login(client, people["inst_user"])
    good = person(1)
    item = f"4-12-01-01|3|{good.work_type}"
    data = {"name": good.name, "gender": "M", "id_type": "201", "id_number": good.id_number[:-1] + "0"
            if good.id_number[-1] != "0" else good.id_number[:-1] + "1", "item": item, "employer": "某厂",
            "city": "合肥市"}
    url = f"/my/batches/{scheduled.pk}/candidates/add/"
    response = client.post(url, data)
    assert response.status_code == 400 and not scheduled.candidates.exists()
    assert 'id="id_id_number-error"' in response.content.decode()
    response = client.post(url, {**data, "id_number": good.id_number})
    assert response.status_code == 302 and scheduled.candidates.get().name == good.name


@pytest.fixture
def stub_imports(monkeypatch):
    """The spreadsheet module's contract, stubbed: these tests cover the page, not the parsing."""
    module = types.ModuleType("assessments.imports")

    class ImportFileError(DomainError):
        status = 400

    def candidates_from_xlsx(*, batch, upload, acting_user):
        if upload.name == "broken.xlsx":
            raise ImportFileError("The file is not a spreadsheet.", code="bad_file")
        raise CandidateImportError({3: {"证件号码": "CERT-02: the check digit is wrong."},
                                    5: {"性别": "Gender is 男 or 女.", "等级": "ASM-02: level 5 is not planned."}})

    def errors_report_xlsx(errors):
        wb = Workbook()
        for row, problems in sorted(errors.items()):
            for column, message in problems.items():
                wb.active.append([row, column, message])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    module.ImportFileError = ImportFileError
    module.candidates_from_xlsx = candidates_from_xlsx
    module.errors_report_xlsx = errors_report_xlsx
    monkeypatch.setitem(sys.modules, "assessments.imports", module)
    return module


def upload(name="candidates.xlsx", content=b"PK\x03\x04"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


def test_the_import_page_lists_every_bad_row_and_offers_the_report__CERT_02(client, scheduled, people,  # noqa: F811
                                                                             stub_imports):
    login(client, people["inst_user"])
    url = f"/my/batches/{scheduled.pk}/candidates/import/"
    response = client.post(url, {"upload": upload()})
    text = response.content.decode()
    assert response.status_code == 400
    assert "CERT-02: the check digit is wrong." in text and "ASM-02: level 5 is not planned." in text
    assert text.index(">3<") < text.index(">5<")  # sheet rows in order
    report = client.get(f"/my/batches/{scheduled.pk}/import-errors/candidates.xlsx")
    assert report.status_code == 200 and report["Content-Type"] == XLSX
    rows = list(load_workbook(io.BytesIO(b"".join(report.streaming_content))).active.values)
    assert rows[0] == (3, "证件号码", "CERT-02: the check digit is wrong.") and len(rows) == 3
    broken = client.post(url, {"upload": upload("broken.xlsx")})
    assert broken.status_code == 400 and "The file is not a spreadsheet." in broken.content.decode()
    assert client.post(url, {"upload": upload("list.csv")}).status_code == 400


def _template_headers(template: bytes) -> tuple[int, list[str]]:
    """The header row of the candidate template: the first row with several filled cells."""
    sheet = load_workbook(io.BytesIO(template)).worksheets[0]
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if sum(1 for v in row if v not in (None, "")) >= 5:
            return number, [str(v or "") for v in row]
    raise AssertionError("no header row in the template")


def _value_for(header: str, candidate) -> object:
    keys = [("证件类型", "201"), ("类型", "201"), ("证件号", candidate.id_number), ("身份证", candidate.id_number),
            ("姓名", candidate.name), ("性别", "男" if candidate.gender == "M" else "女"),
            ("职业编码", candidate.occupation_code), ("代码", candidate.occupation_code),
            ("编码", candidate.occupation_code), ("工种", candidate.work_type), ("等级", candidate.level),
            ("级别", candidate.level), ("单位", candidate.employer), ("城市", candidate.city),
            ("地市", candidate.city), ("职业", candidate.occupation_code)]
    for key, value in keys:
        if key in header:
            return value
    return None


def _sheet(header_row: int, headers: list[str], rows: list[list]) -> bytes:
    wb = Workbook()
    for _ in range(header_row - 1):
        wb.active.append([""])
    wb.active.append(headers)
    for values in rows:
        wb.active.append(values)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_bad_sheet_built_from_the_template_shows_its_rows_and_saves_nothing__CERT_02(client, scheduled,  # noqa: F811
                                                                                       people):
    pytest.importorskip("assessments.imports")
    login(client, people["inst_user"])
    template = client.get(f"/my/batches/{scheduled.pk}/candidates/template.xlsx")
    assert template.status_code == 200 and template["Content-Type"] == XLSX
    header_row, headers = _template_headers(b"".join(template.streaming_content))
    good, bad = person(1), person(2)
    bad.id_number = bad.id_number[:-1] + ("0" if bad.id_number[-1] != "0" else "1")
    url = f"/my/batches/{scheduled.pk}/candidates/import/"
    content = _sheet(header_row, headers, [[_value_for(h, c) for h in headers] for c in (good, bad)])
    response = client.post(url, {"upload": upload(content=content)})
    text = response.content.decode()
    assert response.status_code == 400 and not scheduled.candidates.exists()
    bad_row = header_row + 2
    assert f'<th scope="row" class="num">{bad_row}</th><td>证件号码</td>' in text
    report = client.get(f"/my/batches/{scheduled.pk}/import-errors/candidates.xlsx")
    assert report.status_code == 200 and report["Content-Type"] == XLSX
    content = _sheet(header_row, headers, [[_value_for(h, good) for h in headers]])
    response = client.post(url, {"upload": upload(content=content)})
    assert response.status_code == 302 and scheduled.candidates.get().name == good.name


def test_results_are_imported_from_the_results_template__ASM_07(client, scheduled, people):  # noqa: F811
    pytest.importorskip("assessments.imports")
    from assessments.services import batch_conduct

    candidates_add(batch=scheduled, rows=[person(1), person(3)], acting_user=people["inst_user"])
    with on("2026-04-20"):
        batch_conduct(batch=scheduled, acting_user=people["inst_user"])
    login(client, people["inst_user"])
    template = client.get(f"/my/batches/{scheduled.pk}/results/template.xlsx")
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(template.streaming_content))).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header_index = next(i for i, r in enumerate(rows) if "理论成绩" in [str(v) for v in r])
    headers = [str(v or "") for v in rows[header_index]]
    data = rows[header_index + 1:header_index + 3]
    for values, (theory, practical) in zip(data, [(80, 70), (50, 90)], strict=True):
        values[headers.index("理论成绩")], values[headers.index("操作成绩")] = theory, practical
    url = f"/my/batches/{scheduled.pk}/results/import/"
    with on("2026-04-20"):
        broken = [list(v) for v in data]
        broken[0][headers.index("操作成绩")] = 120
        response = client.post(url, {"upload": upload(content=_sheet(header_index + 1, headers, broken))})
        assert response.status_code == 400 and "操作成绩" in response.content.decode()
        assert not scheduled.candidates.exclude(result="pending").exists()
        response = client.post(url, {"upload": upload(content=_sheet(header_index + 1, headers, data))})
    assert response.status_code == 302
    assert sorted(scheduled.candidates.values_list("result", flat=True)) == ["fail", "pass"]


# -- results ------------------------------------------------------------------------------------------------------
def test_results_are_entered_on_the_page__ASM_07(client, scheduled, people):  # noqa: F811
    candidates_add(batch=scheduled, rows=[person(1), person(3)], acting_user=people["inst_user"])
    from assessments.services import batch_conduct

    with on("2026-04-20"):
        batch_conduct(batch=scheduled, acting_user=people["inst_user"])
    first, second = scheduled.candidates.order_by("pk")
    login(client, people["inst_user"])
    url = f"/my/batches/{scheduled.pk}/results/"
    page = client.get(url).content.decode()
    assert "scores-0-theory" in page and "scores-0-practical" in page and "scores-0-review" not in page
    data = {"scores-TOTAL_FORMS": "2", "scores-INITIAL_FORMS": "2", "scores-MIN_NUM_FORMS": "0",
            "scores-MAX_NUM_FORMS": "5000", "scores-0-candidate_id": first.pk, "scores-0-theory": "75",
            "scores-0-practical": "", "scores-1-candidate_id": second.pk, "scores-1-theory": "80",
            "scores-1-practical": "59"}
    with on("2026-04-20"):
        response = client.post(url, data)
        assert response.status_code == 400 and 'id="id_scores-0-practical-error"' in response.content.decode()
        assert not scheduled.candidates.exclude(result="pending").exists()
        response = client.post(url, {**data, "scores-0-practical": "90"})
    assert response.status_code == 302
    assert [c.result for c in scheduled.candidates.order_by("pk")] == ["pass", "fail"]
    with on("2026-04-20"):
        detail = client.get(f"/my/batches/{scheduled.pk}/").content.decode()
    assert "transitions/publish_results/" in detail and "90.0" in detail


# -- the staff workbench ------------------------------------------------------------------------------------------
def test_staff_approve_a_plan__ASM_01(client, filing, people, occupations):
    batch = submitted(filing, people, occupations)
    login(client, people["city_hefei"])
    with on("2026-04-02"):
        text = client.get(f"/staff/batches/{batch.pk}/").content.decode()
        assert "transitions/approve/" in text and "transitions/return_for_changes/" in text
        assert "transitions/submit/" not in text
        response = client.post(f"/batches/{batch.pk}/transitions/approve/")
    assert response.status_code == 302 and response["Location"] == f"/staff/batches/{batch.pk}/"
    batch.refresh_from_db()
    assert batch.state == "scheduled" and batch.approved_on == D("2026-04-02")


def test_staff_return_a_plan_with_comments__ASM_01(client, filing, people, occupations):
    batch = submitted(filing, people, occupations)
    login(client, people["city_hefei"])
    with on("2026-04-02"):
        client.post(f"/batches/{batch.pk}/transitions/return_for_changes/", {"reason": ""})
        assert AssessmentBatch.objects.get(pk=batch.pk).state == "submitted"
        client.post(f"/batches/{batch.pk}/transitions/return_for_changes/", {"reason": "请补充考评员资格"})
    batch.refresh_from_db()
    assert batch.state == "draft" and batch.return_comment == "请补充考评员资格"
    login(client, people["inst_user"])
    with on("2026-04-02"):
        assert "请补充考评员资格" in client.get(f"/my/batches/{batch.pk}/").content.decode()


def test_wuhu_staff_get_404_for_a_hefei_batch__JUR_03(client, filing, people, occupations):
    batch = submitted(filing, people, occupations)
    login(client, people["city_wuhu"])
    assert client.get(f"/staff/batches/{batch.pk}/").status_code == 404
    assert client.post(f"/batches/{batch.pk}/transitions/approve/").status_code == 404
    assert client.get(f"/batches/{batch.pk}/exports/result-summary.xlsx").status_code == 404
    assert batch.plan_number not in client.get("/staff/batches/").content.decode()
    assert AssessmentBatch.objects.get(pk=batch.pk).state == "submitted"


def test_institutions_may_not_open_the_staff_pages__JUR_03(client, filing, people, occupations):
    batch = submitted(filing, people, occupations)
    login(client, people["inst_user"])
    assert client.get("/staff/batches/").status_code == 403
    assert client.get(f"/staff/batches/{batch.pk}/").status_code == 403
    assert client.post(f"/batches/{batch.pk}/transitions/approve/", follow=True).status_code == 200
    assert AssessmentBatch.objects.get(pk=batch.pk).state == "submitted"


def test_the_staff_queue_puts_submitted_plans_first_marks_JUR_04_and_runs_constant_queries__JUR_04(
        client, filing, people, occupations):
    FilingScope.objects.create(filing=filing, occupation=filing.scope.first().occupation, work_type="汽车机械维修工",
                               level=2, added_on=D("2026-03-10"), added_by=filing.source_application)
    copied = submitted(filing, people, occupations, levels=(2, 3), exam="2026-05-20")
    early = submitted(filing, people, occupations, exam="2026-04-20")
    with on("2026-04-02"):
        from assessments.services import batch_approve

        batch_approve(batch=early, acting_user=people["city_hefei"])
    login(client, people["province_ah"])

    def fetch():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/staff/batches/")
        return response.content.decode(), len(ctx.captured_queries)

    text, before = fetch()
    assert text.index(copied.plan_number) < text.index(early.plan_number)  # waiting first, despite the later exam
    assert "JUR-04" in text
    for exam in ("2026-04-21", "2026-04-22", "2026-04-23"):
        submitted(filing, people, occupations, exam=exam)
    assert fetch()[1] == before


def test_staff_resolve_an_objection_on_the_batch_page__ASM_05(client, scheduled, people):  # noqa: F811
    batch = published(scheduled, people)
    with on("2026-04-22"):
        objection = ResultObjection.objects.create(batch=batch, contact="13900000000", content="考生替考")
    login(client, people["city_hefei"])
    url = f"/staff/batches/{batch.pk}/objections/{objection.pk}/resolve/"
    prefix = f"objection-{objection.pk}"
    response = client.post(url, {f"{prefix}-decision": "dismissed", f"{prefix}-resolution": ""})
    assert response.status_code == 400 and "考生替考" in response.content.decode()
    response = client.post(url, {f"{prefix}-decision": "dismissed", f"{prefix}-resolution": "经核查无替考"})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == "dismissed" and objection.resolution == "经核查无替考"


def test_staff_record_a_spot_check__ASM_04(client, scheduled, people):  # noqa: F811
    login(client, people["city_hefei"])
    url = f"/staff/batches/{scheduled.pk}/spot-checks/"
    data = {"checked_on": "2026-04-20", "step": "入场身份核验", "findings": "逐一核验身份证，未发现替考",
            "compliant": "yes"}
    with on("2026-04-20"):
        assert f'action="{url}"' in client.get(f"/staff/batches/{scheduled.pk}/").content.decode()
        assert client.post(url, {**data, "checked_on": "2026-04-21"}).status_code == 400  # in the future
        assert client.post(url, data).status_code == 302
    check = SpotCheck.objects.get()
    assert (check.batch, check.checked_by, check.compliant) == (scheduled, people["city_hefei"], True)
    assert AuditEvent.objects.filter(action="assessmentbatch.spot_check", data__step="入场身份核验").exists()
    login(client, people["city_wuhu"])
    assert client.post(url, data).status_code == 404


def test_the_staff_export_page_previews_the_filtered_batches__ASM_05(client, filing, people, occupations):
    batch = submitted(filing, people, occupations)
    login(client, people["city_hefei"])
    page = client.get("/staff/batches/exports/")
    assert page.status_code == 200 and "mark_uploaded" in page.content.decode()
    response = client.post("/staff/batches/exports/", {"do": "preview", "date_from": "2026-04-01",
                                                       "date_to": "2026-04-30", "occupation_code": "4-12-01-01",
                                                       "level": "3"})
    assert batch.plan_number in response.content.decode()
    response = client.post("/staff/batches/exports/", {"do": "preview", "level": "1"})
    assert batch.plan_number not in response.content.decode()


def test_the_staff_exports_download_xlsx_and_mark_uploads__ASM_06(client, scheduled, people):  # noqa: F811
    pytest.importorskip("assessments.exports")
    from assessments.services import batch_issue_certificates, batch_report_results

    batch = published(scheduled, people)
    with on("2026-04-28"):
        batch_report_results(batch=batch, acting_user=people["inst_user"])
        batch_issue_certificates(batch=AssessmentBatch.objects.get(pk=batch.pk), acting_user=people["inst_user"])
    login(client, people["city_hefei"])
    summary = client.post("/staff/batches/exports/", {"do": "result_summary"})
    assert summary.status_code == 200 and summary["Content-Type"] == XLSX
    load_workbook(io.BytesIO(b"".join(summary.streaming_content)))
    info = client.post("/staff/batches/exports/", {"do": "certificate_info", "mark_uploaded": "on"})
    assert info.status_code == 200 and info["Content-Type"] == XLSX
    load_workbook(io.BytesIO(b"".join(info.streaming_content)))
    assert not batch.certificates.filter(national_upload__isnull=True).exists()
    for name in ("result-summary", "certificate-info"):
        response = client.get(f"/batches/{batch.pk}/exports/{name}.xlsx")
        assert response.status_code == 200 and response["Content-Type"] == XLSX


# -- the public result publication --------------------------------------------------------------------------------
def test_the_public_results_page_masks_ids__PUB_04_ASM_05(client, scheduled, people):  # noqa: F811
    assert client.get(f"/results/{scheduled.plan_number}/").status_code == 404  # not published
    batch = published(scheduled, people)
    full = batch.candidates.order_by("pk").first().id_number
    with on("2026-04-22"):
        response = client.get(f"/results/{batch.plan_number}/")
    text = response.content.decode()
    assert response.status_code == 200 and full not in text
    assert f"{full[:3]}{'*' * 11}{full[-4:]}" in text and "考生1" in text
    with on("2026-04-28"):  # the publication ended on 2026-04-27
        assert client.get(f"/results/{batch.plan_number}/").status_code == 404


def test_the_public_objection_form_is_rate_limited__ASM_05(client, scheduled, people):  # noqa: F811
    batch = published(scheduled, people)
    url = f"/results/{batch.plan_number}/"
    with on("2026-04-22"):
        assert client.post(url, {"contact": "", "content": "x"}).status_code == 400
        response = client.post(url, {"contact": "13900000000", "content": "考生2号成绩有误"})
        assert response.status_code == 302
        for _ in range(3):
            client.post(url, {"contact": "13900000000", "content": "again"})
        limited = client.post(url, {"contact": "13900000000", "content": "one too many"})
    assert limited.status_code == 429 and "Retry-After" in limited
    assert ResultObjection.objects.filter(batch=batch).count() == 4


def test_the_admin_shows_batches_read_only(client, filing, people, occupations):
    batch = submitted(filing, people, occupations)
    login(client, people["admin"])
    assert client.get("/admin/assessments/assessmentbatch/").status_code == 200
    page = client.get(f"/admin/assessments/assessmentbatch/{batch.pk}/change/")
    assert page.status_code == 200 and "钱监考" in page.content.decode()
    assert client.get("/admin/assessments/assessmentbatch/add/").status_code == 403
