"""Batch verification for employers: upload an .xlsx, get it back with results (CERT-05, CERT-02, PUB-04, REC-01)."""

import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from certificates.batch_verify import FORMULA_TRIGGERS, MAX_ROWS, batch_verify_xlsx, escape_formula
from certificates.models import Certificate
from certificates.services import HolderData, certificate_void, certificates_issue
from filing_portal.audit.models import AuditEvent
from tests.certificates.helpers import resident_id
from tests.personal_data.helpers import with_wrong_check_digit

# Until certificates/urls.py includes batch_urls, the pages are served by this test urlconf.

PAGE = "/verify/batch/"
RESULT_HEADERS = {
    "en": ["Verification result", "Certificate number", "Occupation (work type)", "Level", "Issue date",
           "Issuing institution"],
    "zh": ["核验结果", "证书编号", "职业（工种）", "职业技能等级", "发证日期", "发证机构"],
}


def xlsx(rows, *, write_only=False) -> bytes:
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("名单") if write_only else workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(rows, name="名单.xlsx", **kwargs):
    return SimpleUploadedFile(name, xlsx(rows, **kwargs),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def sheet_rows(content: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def verify(rows, user, **kwargs):
    with override("en"):
        return batch_verify_xlsx(upload=io.BytesIO(xlsx(rows, **kwargs)), acting_user=user, ip="10.0.0.7")


def errors_of(rows, user) -> list[str]:
    with pytest.raises(ValidationError) as caught, override("en"):
        batch_verify_xlsx(upload=io.BytesIO(xlsx(rows)), acting_user=user)
    return caught.value.messages


# --- service -----------------------------------------------------------------------------------------------------

def test_identity_layout_finds_the_holder_and_a_stranger_is_not_found__CERT_05(users, issued):
    zhang = issued["zhang"]
    result = verify([
        ["工号", "证件号码", "姓名", "证件类型"],  # any column order, extra columns kept
        ["E001", resident_id(1), "张三", "201"],
        ["E002", resident_id(9), "赵六", "居民身份证"],
    ], users["inst_y"])
    rows = sheet_rows(result.content)
    assert rows[0] == ("工号", "证件号码", "姓名", "证件类型", *RESULT_HEADERS["en"])
    assert rows[1] == ("E001", resident_id(1), "张三", "201", "valid", zhang.number, "汽车维修工",
                       "Level 3 / Senior worker", "2026-11-02", zhang.institution_name)
    assert rows[2][:4] == ("E002", resident_id(9), "赵六", "居民身份证")
    assert rows[2][4] == "not found" and not any(rows[2][5:])
    assert (result.rows, result.found, result.layout) == (2, 1, "identity")
    assert result.filename.endswith(".xlsx")


def test_number_layout_with_a_wrong_name_answers_not_found__CERT_05(users, issued):
    li, zhang = issued["li"], issued["zhang"]
    rows = sheet_rows(verify([
        ["Name", " Certificate number "],  # English headers, trimmed
        ["李 四", li.number.lower()],  # spaces in names and lower-case numbers are what people type
        ["张四", zhang.number],  # real number, wrong name
        ["张三", "S000034010001263999999"],  # well-formed, no such certificate
    ], users["inst_y"]).content)
    assert rows[1][2:5] == ("valid", li.number, "焊工 (电焊工)")
    assert rows[2][2:] == rows[3][2:] == ("not found", None, None, None, None, None)


def test_several_certificates_of_one_person_are_all_listed__CERT_05(users, issued):
    zhang = issued["zhang"]
    later = certificates_issue(filing_number=zhang.filing_number, institution_name=zhang.institution_name,
                               issue_date=dt.date(2027, 3, 1), holders=[
                                   HolderData(holder_name="张三", id_type="201", id_number=resident_id(1), level=2,
                                              occupation_code="4-12-01-01", occupation_name="汽车维修工")])[0]
    certificate_void(certificate=zhang, reason="考试作弊", acting_user=users["city_hefei"])
    row = sheet_rows(verify([["姓名", "证件类型", "证件号码"], ["张三", 201, resident_id(1)]],
                            users["inst_y"]).content)[1]
    assert row[3] == "valid；voided"  # newest first
    assert row[4] == f"{later.number}；{zhang.number}"
    assert row[6] == "Level 2 / Technician；Level 3 / Senior worker" and row[7] == "2027-03-01；2026-11-02"


def test_voided_certificate_reads_voided__CERT_05(users, issued):
    certificate_void(certificate=issued["zhang"], reason="考试作弊", acting_user=users["city_hefei"])
    rows = sheet_rows(verify([["证书编号", "姓名"], [issued["zhang"].number, "张三"]], users["inst_y"]).content)
    assert rows[1][2] == "voided"


def test_two_bad_rows_are_both_named_and_nothing_is_looked_up__CERT_02_REC_01(
        users, issued, django_assert_num_queries):
    before = AuditEvent.objects.count()
    with django_assert_num_queries(0):
        messages = errors_of([
            ["姓名", "证件类型", "证件号码"],
            ["张三", "201", resident_id(1)],
            ["李四", "201", with_wrong_check_digit(resident_id(2)[:17])],
            ["王五", "999", resident_id(3)],
            ["赵六", "居民身份证", resident_id(4)],
        ], users["inst_y"])
    assert len(messages) == 2
    assert messages[0].startswith("Row 3, 证件号码: CERT-02:") and "check digit" in messages[0]
    assert messages[1].startswith("Row 4, 证件类型: CERT-02:") and "999" in messages[1]
    assert AuditEvent.objects.count() == before


def test_every_missing_or_malformed_field_is_listed__CERT_02(users, issued):
    messages = errors_of([
        ["证书编号", "姓名"],
        ["", "张三"],
        [issued["zhang"].number, "  "],
        ["S0000", "李四"],
    ], users["inst_y"])
    assert [m.split(":")[0] for m in messages] == ["Row 2, 证书编号", "Row 3, 姓名", "Row 4, 证书编号"]
    assert "NUM-05" in messages[2]


def test_id_number_rounded_by_excel_gets_a_hint__CERT_02(users, db):
    messages = errors_of([["姓名", "证件类型", "证件号码"], ["张三", "201", float(resident_id(1)[:-1] + "0")]],
                         users["inst_y"])
    assert messages == [messages[0]] and "format the column as Text" in messages[0]


def test_more_than_5000_rows_are_refused_before_any_lookup(users, db, django_assert_num_queries):
    rows = [["姓名", "证件类型", "证件号码"]] + [["张三", "201", resident_id(1)]] * (MAX_ROWS + 1)
    with django_assert_num_queries(0), pytest.raises(ValidationError) as caught, override("en"):
        batch_verify_xlsx(upload=io.BytesIO(xlsx(rows, write_only=True)), acting_user=users["inst_y"])
    assert "more than 5000 data rows" in caught.value.messages[0]


def test_trailing_empty_rows_are_ignored(users, issued):
    result = verify([["姓名", "证件类型", "证件号码"], ["张三", "201", resident_id(1)], [], ["李四", "201", resident_id(2)],
                     [None, None, None], ["", " ", None]], users["inst_y"])
    rows = sheet_rows(result.content)
    assert result.rows == 2 and len(rows) == 4 and not any(rows[2])  # the blank middle row stays blank


@pytest.mark.parametrize(("content", "expected"), [
    (b"name,id\n", "could not be read"),
    (b"PK\x03\x04 truncated", "could not be read"),
    (None, "could not be read"),  # a valid zip that is not a workbook
    (xlsx([]), "is empty"),
    (xlsx([["工号", "部门"], ["E001", "人事"]]), "first row must name the columns"),
    (xlsx([["姓名", "证件类型", "证件号码"]]), "no data rows"),
])
def test_unreadable_files_and_headers_are_refused_clearly(users, db, content, expected):
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hi")
        content = buffer.getvalue()
    with pytest.raises(ValidationError) as caught, override("en"):
        batch_verify_xlsx(upload=io.BytesIO(content), acting_user=users["inst_y"])
    assert expected in " ".join(caught.value.messages)


def test_500_rows_take_a_constant_number_of_queries(users, issued, django_assert_max_num_queries):
    identity = [["姓名", "证件类型", "证件号码"]] + [["张三" if i == 1 else f"人{i}", "201", resident_id(i)]
                                                   for i in range(1, 501)]
    with django_assert_max_num_queries(8):
        result = verify(identity, users["inst_y"], write_only=True)
    assert (result.rows, result.found) == (500, 1)
    numbers = [["证书编号", "姓名"]] + [[issued["li"].number if i == 0 else f"S000034010001263{100000 + i:06d}", "李四"]
                                       for i in range(500)]
    with django_assert_max_num_queries(8):
        result = verify(numbers, users["inst_y"], write_only=True)
    assert (result.rows, result.found) == (500, 1)


def test_one_audit_event_without_personal_data__REC_01_PUB_04(users, issued):
    before = AuditEvent.objects.count()
    verify([["姓名", "证件类型", "证件号码"], ["张三", "201", resident_id(1)], ["赵六", "201", resident_id(9)]],
           users["inst_y"])
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "certificates.batch_verify" and event.actor == users["inst_y"] and event.ip == "10.0.0.7"
    assert event.data == {"rows": 2, "found": 1, "layout": "identity"}
    trail = " ".join(str(v) for v in (event.comment, event.object_repr, event.data))
    assert "张三" not in trail and resident_id(1)[:10] not in trail and issued["zhang"].number not in trail


def test_result_columns_hold_no_id_number__PUB_04(users, issued):
    rows = sheet_rows(verify([["证书编号", "姓名"], [issued["zhang"].number, "张三"]], users["inst_y"]).content)
    assert not any(resident_id(1) in str(cell) or resident_id(1)[-6:] in str(cell) for cell in rows[1])


# --- formula injection --------------------------------------------------------------------------------------------

@given(st.sampled_from(FORMULA_TRIGGERS), st.text(st.characters(blacklist_categories=("Cs", "Cc"))))
def test_text_starting_a_formula_gets_a_quote(trigger, rest):
    assert escape_formula(trigger + rest) == "'" + trigger + rest


@given(st.text())
def test_escaped_text_never_starts_a_formula(text):
    assert not escape_formula(text).startswith(FORMULA_TRIGGERS)


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc"))).filter(lambda s: not s.startswith(FORMULA_TRIGGERS)))
def test_other_text_is_left_alone(text):
    assert escape_formula(text) == text


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.none(), st.dates()))
def test_non_text_values_pass_through(value):
    assert escape_formula(value) == value


def test_database_values_are_escaped_and_uploaded_text_stays_text(users, issued):
    Certificate.objects.filter(pk=issued["zhang"].pk).update(institution_name='=HYPERLINK("http://x","点我")')
    workbook = Workbook()
    workbook.active.append(["备注", "证书编号", "姓名"])
    workbook.active.append(["=1+1", issued["zhang"].number, "张三"])
    workbook.active["A2"].data_type = "s"  # text that looks like a formula, as Excel stores '=1+1
    out = io.BytesIO()
    workbook.save(out)
    with override("en"):
        content = batch_verify_xlsx(upload=io.BytesIO(out.getvalue()), acting_user=users["inst_y"]).content
    cells = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(min_row=2, max_row=2))[0]
    assert (cells[0].value, cells[0].data_type) == ("=1+1", "s")  # the user's own cell: text, not a formula
    assert (cells[-1].value, cells[-1].data_type) == ('\'=HYPERLINK("http://x","点我")', "s")


# --- pages --------------------------------------------------------------------------------------------------------

def test_anonymous_users_are_sent_to_login(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/verify/batch/template.xlsx").status_code == 302


def test_page_has_a_labelled_upload_and_the_template_link(client, users):
    client.force_login(users["expert1"])  # any role may verify
    html = client.get(PAGE).content.decode()
    assert '<label for="id_file">' in html and 'accept=".xlsx' in html and 'enctype="multipart/form-data"' in html
    assert "/verify/batch/template.xlsx" in html and "5000" in html


def test_download_keeps_the_sheet_and_adds_the_result_columns__CERT_05(client, users, issued):
    client.force_login(users["inst_y"])
    response = client.post(PAGE, {"file": upload([["序号", "姓名", "证件类型", "证件号码", "部门"],
                                                  [1, "张三", "201", resident_id(1), "维修车间"]])})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" in disposition
    assert "filename*=utf-8''%E6%A0%B8%E9%AA%8C%E7%BB%93%E6%9E%9C-" in disposition  # 核验结果-YYYYMMDD-HHMMSS.xlsx
    assert re.search(r"-\d{8}-\d{6}\.xlsx$", disposition)
    header, row = sheet_rows(response.content)
    assert header[:5] == ("序号", "姓名", "证件类型", "证件号码", "部门")
    assert list(header[5:]) in (RESULT_HEADERS["en"], RESULT_HEADERS["zh"])
    assert row[:5] == (1, "张三", "201", resident_id(1), "维修车间")
    assert row[5] in ("valid", "有效") and row[6] == issued["zhang"].number


def test_voided_shows_in_the_downloaded_sheet__CERT_05(client, users, issued):
    certificate_void(certificate=issued["li"], reason="考试作弊", acting_user=users["city_hefei"])
    client.force_login(users["inst_y"])
    response = client.post(PAGE, {"file": upload([["证书编号", "姓名"], [issued["li"].number, "李四"]])})
    assert sheet_rows(response.content)[1][2] in ("voided", "已作废")


def test_bad_rows_rerender_the_page_with_every_row__CERT_02(client, users, issued):
    client.force_login(users["inst_y"])
    before = AuditEvent.objects.count()
    response = client.post(PAGE, {"file": upload([["姓名", "证件类型", "证件号码"],
                                                  ["张三", "201", resident_id(1)],
                                                  ["李四", "201", with_wrong_check_digit(resident_id(2)[:17])],
                                                  ["王五", "护照", resident_id(3)]])})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html and html.count("CERT-02") >= 2
    assert ("Row 3" in html or "第 3 行" in html) and ("Row 4" in html or "第 4 行" in html)
    assert resident_id(1) not in html and AuditEvent.objects.count() == before


@pytest.mark.parametrize(("name", "content"), [
    ("名单.xlsx", b"this is not a workbook"),
    ("名单.csv", b"name,id\n"),
    ("名单.xls", b"\xd0\xcf\x11\xe0 old excel"),
])
def test_a_file_that_is_not_xlsx_gets_a_400_page_not_a_500(client, users, name, content):
    client.force_login(users["inst_y"])
    response = client.post(PAGE, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode() and ".xlsx" in response.content.decode()


def test_posting_without_a_file_gets_a_400_page(client, users):
    client.force_login(users["inst_y"])
    assert client.post(PAGE, {}).status_code == 400


def test_files_over_10_mb_are_refused(client, users, monkeypatch):
    monkeypatch.setattr("certificates.batch_views.MAX_UPLOAD_BYTES", 100)
    client.force_login(users["inst_y"])
    response = client.post(PAGE, {"file": upload([["姓名", "证件类型", "证件号码"], ["张三", "201", resident_id(1)]])})
    assert response.status_code == 400 and "10 MB" in response.content.decode()


def test_template_explains_both_layouts(client, users):
    client.force_login(users["inst_y"])
    response = client.get("/verify/batch/template.xlsx")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    workbook = load_workbook(io.BytesIO(response.content))
    first, notes = workbook.worksheets
    assert [c.value for c in first[1]] == ["姓名", "证件类型", "证件号码"]
    text = " ".join(str(c.value) for row in notes.iter_rows() for c in row if c.value)
    assert "证书编号" in text and "居民身份证" in text and "201" in text


def test_the_template_uploads_as_an_empty_sheet(client, users):
    """Filled in, the template is accepted as it is (its text-formatted column adds no rows)."""
    client.force_login(users["inst_y"])
    template = load_workbook(io.BytesIO(client.get("/verify/batch/template.xlsx").content))
    template.worksheets[0].append(["张三", "201", resident_id(1)])
    out = io.BytesIO()
    template.save(out)
    with override("en"):
        result = batch_verify_xlsx(upload=io.BytesIO(out.getvalue()), acting_user=users["inst_y"])
    assert result.rows == 1


@pytest.mark.parametrize("first", [["证书编号", "姓名"], ["姓名", "证件类型", "证件号码"]])
def test_a_returned_sheet_can_be_uploaded_again__CERT_05(users, issued, first):
    """The appended 证书编号 column does not confuse the layout: the first matching column is used."""
    row = [issued["zhang"].number, "张三"] if len(first) == 2 else ["张三", "201", resident_id(1)]
    once = verify([first, row], users["inst_y"])
    twice = sheet_rows(verify(sheet_rows(once.content), users["inst_y"]).content)
    assert twice[1][-6:] == sheet_rows(once.content)[1][-6:] and twice[1][-6] == "valid"
