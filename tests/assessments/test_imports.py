"""Candidate lists and results uploaded as .xlsx: sheet rows and columns in every report, nothing saved on error,
hostile files refused before openpyxl parses them (ASM-01, ASM-05, ASM-07, CERT-02)."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from assessments import imports
from assessments.imports import (
    ImportFileError,
    candidate_template_xlsx,
    candidates_from_xlsx,
    check_xlsx_upload,
    errors_report_xlsx,
    results_from_xlsx,
    results_template_xlsx,
)
from assessments.models import AssessmentBatch
from assessments.services import CandidateImportError, batch_conduct, candidates_add
from tests.assessments.conftest import person
from tests.assessments.test_batches import scheduled  # noqa: F401  (fixture)
from tests.institutions.conftest import on
from tests.personal_data.helpers import with_check_digit, with_wrong_check_digit

HEADER = ["姓名", "性别", "证件类型", "证件号码", "所在单位", "考生所在地市", "职业编码", "工种", "申报等级"]


def ident(i: int, gender: str = "M", *, right: bool = True) -> str:
    """A distinct valid resident ID per i: 50 people per birth date from 1990-01-01, gender digit odd for men."""
    born = dt.date(1990, 1, 1) + dt.timedelta(days=i // 50)
    body = f"340104{born:%Y%m%d}{i % 50:02d}{1 if gender == 'M' else 2}"
    return with_check_digit(body) if right else with_wrong_check_digit(body)


def row(i: int, *, gender="男", level="三级", id_number=None, **overrides) -> list:
    values = {"姓名": f"考生{i}", "性别": gender, "证件类型": "201",
              "证件号码": id_number or ident(i, "M" if gender == "男" else "F"), "所在单位": "合肥某汽修厂",
              "考生所在地市": "合肥市", "职业编码": "4-12-01-01", "工种": "汽车机械维修工", "申报等级": level}
    values.update(overrides)
    return [values[h] for h in HEADER]


def xlsx(rows, header=HEADER, *, write_only=False) -> bytes:
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet() if write_only else workbook.active
    if header:
        sheet.append(header)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_template_has_the_headers_and_explains_codes_and_levels__CERT_02():
    workbook = load_workbook(io.BytesIO(candidate_template_xlsx()))
    sheet, notes = workbook.worksheets
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet.column_dimensions["D"].number_format == "@"  # ID numbers stay text
    text = {str(c.value) for r in notes.iter_rows() for c in r if c.value is not None}
    assert {"201", "居民身份证", "241", "外国人工作许可证（C类）", "299"} <= text
    assert {"五级/初级工（初级）", "一级/高级技师（高级技师）"} <= text


def test_a_good_sheet_imports_every_candidate_in_any_column_order__CERT_02(scheduled, people):  # noqa: F811
    rows = [row(i, gender="女" if i % 3 == 0 else "男", level=["三级", 4, "中级工", "3", "四级/中级工"][i % 5])
            for i in range(30)]
    rows[4][2] = "居民身份证"
    rows[5][2] = 201  # a code Excel turned into a number
    order = [3, 0, 8, 1, 2, 6, 7, 4, 5]  # columns shuffled
    shuffled = [[r[k] for k in order] for r in rows]
    shuffled.insert(10, [None] * 9)  # a blank row is skipped
    created = candidates_from_xlsx(batch=scheduled, upload=xlsx(shuffled, [HEADER[k] for k in order]),
                                   acting_user=people["inst_user"])
    assert len(created) == 30
    first = scheduled.candidates.get(name="考生0")
    assert (first.gender, first.id_type, first.level, first.city) == ("F", "201", 3, "合肥市")
    assert scheduled.candidates.get(name="考生1").level == 4
    assert scheduled.candidates.filter(level=4).count() == 18


def test_a_wrong_check_digit_in_row_713_saves_nothing_and_names_row_and_column__CERT_02(scheduled, people):  # noqa: F811
    rows = [row(i) for i in range(800)]
    rows[711] = row(711, id_number=ident(711, right=False))  # data row 712 = sheet row 713
    with pytest.raises(CandidateImportError) as err:
        candidates_from_xlsx(batch=scheduled, upload=xlsx(rows), acting_user=people["inst_user"])
    assert list(err.value.errors) == [713]
    assert list(err.value.errors[713]) == ["证件号码"]
    assert "CERT-02" in err.value.errors[713]["证件号码"]
    assert not scheduled.candidates.exists()


def test_every_bad_row_is_reported_with_sheet_rows_and_headers__CERT_02_ASM_02(scheduled, people):  # noqa: F811
    rows = [
        row(0),
        [None] * 9,  # sheet row 3: blank, skipped but counted
        row(1, gender="男性"),  # 4: not 男/女
        row(2, level="六级"),  # 5: unknown level
        row(3, id_number=float(ident(3))),  # 6: Excel turned the ID into a number
        row(4, level="五级"),  # 7: level 5 is not in the plan (ASM-02)
        row(5, gender="女", id_number=ident(5, "M")),  # 8: gender does not match the ID
        row(0),  # 9: the same person, occupation and level as row 2
        row(6, 证件类型="护照照"),  # 10: unknown ID type
        row(7),  # 11: fine
    ]
    with pytest.raises(CandidateImportError) as err:
        candidates_from_xlsx(batch=scheduled, upload=xlsx(rows), acting_user=people["inst_user"])
    errors = err.value.errors
    assert sorted(errors) == [4, 5, 6, 7, 8, 9, 10]
    assert list(errors[4]) == ["性别"] and list(errors[5]) == ["申报等级"]
    assert "Text" in errors[6]["证件号码"] or "文本" in errors[6]["证件号码"]
    assert "ASM-02" in errors[7]["职业编码"]
    assert "CERT-02" in errors[8]["性别"]
    assert "2" in errors[9]["证件号码"] and list(errors[10]) == ["证件类型"]
    assert err.value.as_dict()["rows"]["4"] == errors[4]
    assert not scheduled.candidates.exists()


def test_headers_below_a_title_and_with_asterisks_are_found(scheduled, people):  # noqa: F811
    sheet = xlsx([["考生名单（第一批）"], [f"{h}*" for h in HEADER], row(1), row(2)], header=None)
    assert len(candidates_from_xlsx(batch=scheduled, upload=sheet, acting_user=people["inst_user"])) == 2


def test_missing_columns_are_named(scheduled, people):  # noqa: F811
    with pytest.raises(ImportFileError) as err:
        candidates_from_xlsx(batch=scheduled, upload=xlsx([row(1)[:3]], HEADER[:3]), acting_user=people["inst_user"])
    assert "证件号码" in err.value.message and err.value.status == 400


def test_a_renamed_exe_is_refused_with_a_clear_message():
    with pytest.raises(ImportFileError) as err:
        check_xlsx_upload(b"MZ\x90\x00\x03" + b"\x00" * 2000)
    assert err.value.code == "bad_file" and err.value.status == 400 and ".exe" in err.value.message


@pytest.mark.parametrize("content", [b"", b"%PDF-1.7 not a workbook", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old xls"])
def test_other_files_are_refused(content):
    with pytest.raises(ImportFileError):
        check_xlsx_upload(content)


def _zip(entries: dict[str, bytes], *, zeros_mb: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if zeros_mb:
            with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
                chunk = b"\0" * (1 << 20)
                for _ in range(zeros_mb):
                    member.write(chunk)
    return buffer.getvalue()


PARTS = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(scheduled, people, monkeypatch):  # noqa: F811
    bomb = _zip(PARTS, zeros_mb=250)  # 1 MB on disk, 250 MB unpacked
    assert len(bomb) < 2 * 1024 * 1024

    def must_not_open(*args, **kwargs):
        raise AssertionError("openpyxl opened the file")

    monkeypatch.setattr(imports, "load_workbook", must_not_open)
    with pytest.raises(ImportFileError) as err:
        candidates_from_xlsx(batch=scheduled, upload=bomb, acting_user=people["inst_user"])
    assert "200 MB" in err.value.message


def test_too_many_entries_too_large_or_not_a_workbook_zip_is_refused():
    with pytest.raises(ImportFileError):
        check_xlsx_upload(_zip({**PARTS, **{f"xl/media/{i}.png": b"" for i in range(1001)}}))
    with pytest.raises(ImportFileError):
        check_xlsx_upload(_zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}))
    with pytest.raises(ImportFileError) as err:
        check_xlsx_upload(xlsx([row(1)]), max_bytes=1000)
    assert "MB" in err.value.message
    check_xlsx_upload(xlsx([row(1)]))  # a real workbook passes


def test_more_than_20000_data_rows_are_refused(scheduled, people):  # noqa: F811
    rows = [[f"考生{i}"] for i in range(20_001)]
    with pytest.raises(ImportFileError) as err:
        candidates_from_xlsx(batch=scheduled, upload=xlsx(rows, write_only=True), acting_user=people["inst_user"])
    assert "20000" in err.value.message
    assert not scheduled.candidates.exists()


def test_the_error_report_lists_row_column_and_problem():
    report = load_workbook(io.BytesIO(errors_report_xlsx({713: {"证件号码": "CERT-02: 校验位错误"},
                                                          4: {"性别": "请填写男或女", "申报等级": "=HYPERLINK()"}})))
    rows = list(report.active.iter_rows(values_only=True))
    assert rows == [("行号", "列", "问题"), (4, "性别", "请填写男或女"), (4, "申报等级", "'=HYPERLINK()"),
                    (713, "证件号码", "CERT-02: 校验位错误")]


# -- results --------------------------------------------------------------------------------------------------
@pytest.fixture
def conducted(scheduled, people):  # noqa: F811
    candidates_add(batch=scheduled, rows=[person(i, level=3 if i % 2 else 4) for i in range(4)]
                   + [person(1, level=4)], acting_user=people["inst_user"])  # person 1 sits levels 3 and 4
    with on("2026-04-20"):
        batch_conduct(batch=scheduled, acting_user=people["inst_user"])
    return AssessmentBatch.objects.get(pk=scheduled.pk)


def _filled_template(batch, scores: dict[tuple[str, str], tuple]) -> bytes:
    """The downloaded results template with (ID, level label) → (theory, practical) typed in."""
    workbook = load_workbook(io.BytesIO(results_template_xlsx(batch)))
    sheet = workbook.active
    for cells in sheet.iter_rows(min_row=3):
        key = (cells[2].value, cells[5].value)
        if key in scores:
            cells[6].value, cells[7].value = scores[key]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_results_template_holds_the_batch_candidates_and_says_it_has_personal_data(conducted):
    sheet = load_workbook(io.BytesIO(results_template_xlsx(conducted))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "个人信息" in rows[0][0] or "personal data" in rows[0][0]
    assert rows[1] == ("姓名", "证件类型", "证件号码", "职业编码", "工种", "申报等级", "理论成绩", "操作成绩")
    assert len(rows) == 2 + 5
    assert {r[2] for r in rows[2:]} == {person(i).id_number for i in range(4)}  # full numbers, as text


def test_results_import_maps_by_id_number_and_computes_pass_and_fail__ASM_05_ASM_07(conducted, people):
    p0, p1, p2, p3 = (person(i).id_number for i in range(4))
    upload = _filled_template(conducted, {
        (p0, "四级/中级工"): (75, 59), (p1, "三级/高级工"): (80, 80.5), (p1, "四级/中级工"): (90, 60),
        (p2, "四级/中级工"): ("88", "61"), (p3, "三级/高级工"): (60, 100),
    })
    with on("2026-04-20"):
        assert results_from_xlsx(batch=conducted, upload=upload, acting_user=people["inst_user"]) == 5
    results = {(c.id_number, c.level): (c.result, c.practical_score) for c in conducted.candidates.all()}
    assert results[(p0, 4)] == ("fail", Decimal("59.0"))
    assert results[(p1, 3)] == ("pass", Decimal("80.5"))
    assert results[(p1, 4)][0] == results[(p2, 4)][0] == results[(p3, 3)][0] == "pass"


def test_results_errors_name_sheet_rows_and_nothing_is_recorded__ASM_07(conducted, people):
    p0, p1 = person(0).id_number, person(1).id_number
    header = ["姓名", "证件号码", "理论成绩", "操作成绩"]
    rows = [
        ["考生0", p0, 75, 80],  # 2: fine
        ["考生1", p1, 75, 80],  # 3: sits two levels, no 申报等级 column
        ["", with_check_digit("34010419800101001"), 75, 80],  # 4: not a candidate of the batch
        ["", p0, 75, 80],  # 5: the same candidate as row 2
        ["", person(2).id_number, "缺考", 80],  # 6: not a number
        ["", person(3).id_number, 101, None],  # 7: out of range, practical missing (service, ASM-07)
        ["考生9", person(2).id_number, 80, 80],  # 8: the name does not match the ID number
    ]
    with on("2026-04-20"), pytest.raises(CandidateImportError) as err:
        results_from_xlsx(batch=conducted, upload=xlsx(rows, header), acting_user=people["inst_user"])
    errors = err.value.errors
    assert sorted(errors) == [3, 4, 5, 6, 7, 8]
    assert list(errors[3]) == ["申报等级"] and list(errors[4]) == ["证件号码"] and "2" in errors[5]["证件号码"]
    assert list(errors[6]) == ["理论成绩"]
    assert set(errors[7]) == {"理论成绩", "操作成绩"} and "ASM-07" in errors[7]["操作成绩"]
    assert list(errors[8]) == ["姓名"]
    assert not conducted.candidates.exclude(result="pending").exists()


def test_results_sheet_needs_the_batch_subject_columns__ASM_07(conducted, people):
    with on("2026-04-20"), pytest.raises(ImportFileError) as err:
        results_from_xlsx(batch=conducted, upload=xlsx([[person(0).id_number, 80]], ["证件号码", "理论成绩"]),
                          acting_user=people["inst_user"])
    assert "操作成绩" in err.value.message
