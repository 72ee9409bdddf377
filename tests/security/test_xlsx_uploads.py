"""Hostile spreadsheets at the candidate import page (issue 9 item 5; OWASP ASVS 5.0 V5.2): each a real POST to
`/my/batches/<pk>/candidates/import/`, refused with 400/413 and a message, quickly, and nothing saved."""
# ruff: noqa: F811  (pytest fixtures imported by name are redefined as arguments)

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from assessments.models import Candidate
from tests.assessments.conftest import filing  # noqa: F401  (fixture)
from tests.assessments.test_batches import scheduled  # noqa: F401  (fixture)
from tests.assessments.test_imports import HEADER, row, xlsx
from tests.institutions.conftest import draft, occupations, people, regions  # noqa: F401

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _post(client, batch, content: bytes, name: str = "名单.xlsx"):
    started = time.monotonic()
    response = client.post(f"/my/batches/{batch.pk}/candidates/import/",
                           {"upload": SimpleUploadedFile(name, content, content_type=XLSX)})
    return response, time.monotonic() - started


def _with_sheet(sheet_xml_parts, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A workbook saved by openpyxl whose first sheet's XML is replaced by what the iterable yields."""
    workbook = Workbook()
    workbook.active.append(HEADER)
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info.filename, (extra or {}).get(info.filename, source.read(info.filename)))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for part in sheet_xml_parts:
                member.write(part)
    return out.getvalue()


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
              + "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
                        for i, h in enumerate(HEADER)).encode() + b"</row>")
SHEET_TAIL = b"</sheetData></worksheet>"


def _blank_rows(megabytes: int):
    yield SHEET_HEAD
    chunk = b"<row/>" * (1 << 17)
    for _ in range(megabytes * 1024 * 1024 // len(chunk) + 1):
        yield chunk
    yield SHEET_TAIL


@pytest.fixture
def importer(client, people):
    client.force_login(people["inst_user"])
    return client


def _refused(response, seconds, batch, *, status=400, within=5.0):
    assert response.status_code == status, response.content[:500]
    assert seconds < within, f"took {seconds:.1f} s"
    assert not Candidate.objects.filter(batch=batch).exists()
    return response.content.decode()


def test_a_good_sheet_still_imports(importer, scheduled):
    """The baseline the refusals below are measured against."""
    response, _ = _post(importer, scheduled, xlsx([row(1), row(2)]))
    assert response.status_code == 302
    assert Candidate.objects.filter(batch=scheduled).count() == 2


def test_a_zip_bomb_of_150_mb_sheet_xml_is_refused_before_it_is_parsed(importer, scheduled):
    bomb = _with_sheet(_blank_rows(150))
    assert len(bomb) < 1024 * 1024  # a few hundred KB on the wire
    text = _refused(*_post(importer, scheduled, bomb), scheduled)
    assert "V5.2.3" in text and "xl/worksheets/sheet1.xml" in text


def test_many_blank_rows_that_deflate_plausibly_are_cut_off(importer, scheduled):
    """Numbered blank rows deflate ~10×, under the ratio limit; the row ceiling stops them instead."""
    rows = (f'<row r="{n}"/>'.encode() for n in range(2, 150_002))
    text = _refused(*_post(importer, scheduled, _with_sheet([SHEET_HEAD, *rows, SHEET_TAIL])), scheduled)
    assert "100000" in text and "V5.2.3" in text


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
                     for i in range(1, 10))
          + b']>')


def _replace(content: bytes, part: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            archive.writestr(info.filename, change(data) if info.filename == part else data)
    return out.getvalue()


def _laughing(xml: bytes, first_tag: bytes) -> bytes:
    """The part with the entity DTD before its root and `&lol9;` (10**9 × "lol") in its first text."""
    if xml.startswith(b"<?xml"):
        xml = xml.split(b"?>", 1)[1]
    return LAUGHS + xml.replace(first_tag, first_tag + b"&lol9;", 1)


@pytest.mark.parametrize("part, tag", [("xl/worksheets/sheet1.xml", b"<t>"), ("xl/styles.xml", b"<fonts"),
                                       ("xl/workbook.xml", b"<sheets>"), ("[Content_Types].xml", b"<Types")])
def test_billion_laughs_entities_are_refused_in_any_part(importer, scheduled, part, tag):
    good = xlsx([row(1)])
    if part == "xl/worksheets/sheet1.xml":
        good = _with_sheet([SHEET_HEAD, SHEET_TAIL])
    if tag == b"<Types":
        content = _replace(good, part, lambda xml: LAUGHS + b"<Types>&lol9;</Types>")
    else:
        content = _replace(good, part, lambda xml: _laughing(xml, tag))
    assert b"&lol9;" in zipfile.ZipFile(io.BytesIO(content)).read(part)
    _refused(*_post(importer, scheduled, content), scheduled)


@pytest.mark.parametrize("content", [
    b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n",  # a PDF renamed
    b"\x89PNG\r\n\x1a\n" + b"\0" * 64,  # a PNG renamed
    b"MZ\x90\x00\x03" + b"\0" * 64,  # a Windows program renamed
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64,  # an old .xls
    b"PK\x03\x04" + b"\0" * 64,  # zip magic, then garbage
    "姓名,性别\n张三,男\n".encode(),  # a CSV renamed
])
def test_wrong_magic_bytes_behind_an_xlsx_name_are_refused(importer, scheduled, content):
    _refused(*_post(importer, scheduled, content), scheduled)


def test_a_zip_that_is_not_a_workbook_is_refused(importer, scheduled):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", b"<w:document/>")
    _refused(*_post(importer, scheduled, out.getvalue()), scheduled)


def test_an_11_mb_upload_is_refused_by_the_form(importer, scheduled):
    response, seconds = _post(importer, scheduled, b"PK\x03\x04" + b"\0" * (11 * 1024 * 1024))
    text = _refused(response, seconds, scheduled)
    assert "10 MB" in text


def test_a_request_over_the_upload_ceiling_gets_413_before_the_view(importer, scheduled, settings):
    settings.MAX_UPLOAD_REQUEST_BYTES = 2 * 1024 * 1024
    response, seconds = _post(importer, scheduled, b"\0" * (3 * 1024 * 1024))
    text = _refused(response, seconds, scheduled, status=413)
    assert "413" in text and "2 MB" in text


def test_the_default_ceiling_lets_the_largest_legitimate_body_through(settings):
    """A complaint with 3 × 5 MB attachments (SUP-02) is the largest form; the ceiling is above it."""
    assert settings.MAX_UPLOAD_REQUEST_BYTES >= 3 * 5 * 1024 * 1024 + 1024 * 1024


def test_a_path_traversal_name_on_the_import_is_only_a_name(importer, scheduled):
    response, _ = _post(importer, scheduled, b"%PDF-1.7", name="../../etc/passwd.xlsx")
    _refused(response, 0, scheduled)
    response, _ = _post(importer, scheduled, xlsx([row(1)]), name="../../etc/passwd.xlsx")
    assert response.status_code == 302 and Candidate.objects.filter(batch=scheduled).count() == 1


# -- the other spreadsheet upload: certificate batch verification (/verify/batch/, any signed-in user) ----------

VERIFY_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
               + "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
                         for i, h in enumerate(("证书编号", "姓名"))).encode() + b"</row>")


def _verify(client, people, content: bytes):
    client.force_login(people["city_hefei"])
    started = time.monotonic()
    response = client.post("/verify/batch/", {"file": SimpleUploadedFile("核验.xlsx", content, content_type=XLSX)})
    return response, time.monotonic() - started


def test_batch_verification_refuses_a_zip_bomb_quickly(client, people):
    chunk = b"<row/>" * (1 << 17)
    bomb = _with_sheet([VERIFY_HEAD, *(chunk for _ in range(150 * 1024 * 1024 // len(chunk) + 1)), SHEET_TAIL])
    response, seconds = _verify(client, people, bomb)
    assert response.status_code == 400 and seconds < 5.0, seconds
    assert "V5.2.3" in response.content.decode()


def test_batch_verification_refuses_endless_blank_rows_quickly(client, people):
    rows = (f'<row r="{n}"/>'.encode() for n in range(2, 150_002))
    response, seconds = _verify(client, people, _with_sheet([VERIFY_HEAD, *rows, SHEET_TAIL]))
    assert response.status_code == 400 and seconds < 5.0, seconds
    assert "V5.2.3" in response.content.decode()


@pytest.mark.parametrize("part, tag", [("xl/worksheets/sheet1.xml", b"<t>"), ("xl/workbook.xml", b"<sheets>")])
def test_batch_verification_refuses_billion_laughs(client, people, part, tag):
    good = _with_sheet([VERIFY_HEAD, SHEET_TAIL])
    response, seconds = _verify(client, people, _replace(good, part, lambda xml: _laughing(xml, tag)))
    assert response.status_code == 400 and seconds < 5.0, seconds


def test_batch_verification_refuses_wrong_magic_bytes(client, people):
    response, _ = _verify(client, people, b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
    assert response.status_code == 400
