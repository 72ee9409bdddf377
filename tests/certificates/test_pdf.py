"""The certificate and the filing notices as PDFs (CERT-04, NUM-05/06, FIL-04, FIL-08): no database."""

import dataclasses
import io
import logging
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import segno
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from certificates.fonts import DEBIAN_PACKAGE, KAI_FONT_NAME, KaiFontMissing, missing_glyphs, register_fonts
from certificates.pdf import (
    LEFT_PAGE_BODY,
    CertificateData,
    FilingNoticeData,
    qr_matrix,
    qr_runs,
    render_certificate,
    render_certificates,
    render_filing_receipt,
    render_termination_notice,
)
from certificates.pdf.drawing import text_width, wrap

SITE = "https://portal.example.gov.cn/certificates/verify/"


def jpeg(colour=(200, 170, 150), size=(413, 579)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def cert(**changes) -> CertificateData:
    data = CertificateData(
        number="S000034010001262000123", holder_name="欧阳明月", id_type_label="居民身份证",
        id_number="34010419900101123X", employer="合肥示范制造有限公司", occupation_code="6-18-01-01",
        occupation_name="车工", work_type="数控车工", level=2, issue_date=date(2026, 11, 22),
        institution_name="合肥示范职业技能评价中心", filing_number="S000034010001",
        verify_url=SITE + "S000034010001262000123", photo=jpeg(),
    )
    return dataclasses.replace(data, **changes)


def notice(**changes) -> FilingNoticeData:
    data = FilingNoticeData(
        document_number="皖人社鉴备〔2026〕12号", applicant="合肥示范教育科技有限公司",
        institution_name="合肥示范职业技能评价中心", issuing_office="合肥市人力资源和社会保障局",
        issue_date=date(2026, 3, 5), occupations=[("车工（6-18-01-01）", "三级/高级工"), ("电工", "四级/中级工")],
        filing_number="S000034010001", valid_from=date(2026, 3, 5), valid_to=date(2029, 3, 4),
        publication_place="合肥市人力资源和社会保障局网站“机构备案公告”栏目",
        termination_reason="通知一次性补齐材料后5个工作日内未补齐", termination_clause="本办法第三条第（一）项规定",
    )
    return dataclasses.replace(data, **changes)


def text_of(pdf: bytes) -> str:
    """All text, line breaks and spaces removed (wrapped values read as one)."""
    return re.sub(r"\s", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def page_ops(pdf: bytes, page: int = 0) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[page].get_contents().get_data().decode("latin-1")


# --- the certificate -------------------------------------------------------------

def test_certificate_prints_holder_number_and_level__CERT_04_NUM_06():
    text = text_of(render_certificate(cert(), site_url=SITE))
    for expected in ("职业技能等级证书", "欧阳明月", "S000034010001262000123", "二级/技师", "居民身份证",
                     "34010419900101123X",  # in full: the certificate is the holder's legal document
                     "合肥示范制造有限公司", "车工", "数控车工", "2026-11-22", "合肥示范职业技能评价中心",
                     "证书查询网址：" + SITE, LEFT_PAGE_BODY):
        assert expected in text, expected
    labels = ["姓名", "证件类型", "证件号码", "所在单位", "职业名称", "工种名称", "职业技能等级", "证书编号",
              "发证日期", "评价机构"]
    positions = [text.index(label + "：") for label in labels]
    assert positions == sorted(positions)  # AH20 附件5's order


@pytest.mark.parametrize(("level", "label"), [(1, "一级/高级技师"), (2, "二级/技师"), (3, "三级/高级工"),
                                              (4, "四级/中级工"), (5, "五级/初级工")])
def test_every_level_prints_its_label__NUM_06(level, label):
    assert "职业技能等级：" + label in text_of(render_certificate(cert(level=level), site_url=SITE))


def test_number_and_level_are_checked__NUM_05_NUM_06():
    with pytest.raises(ValueError, match="NUM-05"):
        cert(number="S00003401000126200012")  # 21 characters
    with pytest.raises(ValueError, match="NUM-06"):
        cert(level=6)


def test_no_work_type_prints_dash__CERT_04():
    assert "工种名称：——" in text_of(render_certificate(cert(work_type=""), site_url=SITE))


def test_no_employer_leaves_the_line_out():
    text = text_of(render_certificate(cert(employer=""), site_url=SITE))
    assert "所在单位" not in text and "欧阳明月" in text


def test_page_is_a4_landscape_with_the_border__CERT_04():
    pdf = render_certificate(cert(), site_url=SITE)
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert abs(float(box.width) - 842) <= 1 and abs(float(box.height) - 595) <= 1
    ops = page_ops(pdf)
    x, y, w, h = map(float, re.search(r"2\.25 w\s.*?([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re", ops, re.S).groups())
    assert (round(w / mm, 1), round(h / mm, 1)) == (269.0, 188.0)  # 188 × 269 mm at 2.25 pt
    assert abs(x - (float(box.width) - w) / 2) < 0.01 and abs(y - (float(box.height) - h) / 2) < 0.01


def test_title_30pt_and_info_16pt__CERT_04():
    ops = page_ops(render_certificate(cert(), site_url=SITE))
    sizes = {float(s) for s in re.findall(r"/F\d+\+\d+ ([\d.]+) Tf", ops)}
    assert {30, 16, 14} <= sizes  # title, body and information, website


def test_kai_font_is_embedded_and_the_only_font__CERT_04():
    face = register_fonts().face.name.decode()  # "UKaiCN" for fonts-arphic-ukai
    for pdf in (render_certificate(cert(), site_url=SITE), render_filing_receipt(notice())):
        fonts = [f.get_object() for f in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()]
        assert fonts and all(face in f["/BaseFont"] and "/FontFile2" in f["/FontDescriptor"] for f in fonts), \
            [f["/BaseFont"] for f in fonts]


def test_voided_certificate_shows_the_overlay():
    assert "已作废" not in text_of(render_certificate(cert(), site_url=SITE))
    assert "已作废" in text_of(render_certificate(cert(status_voided=True), site_url=SITE))


def test_same_input_gives_the_same_bytes():
    assert render_certificate(cert(), site_url=SITE) == render_certificate(cert(), site_url=SITE)


def test_long_values_wrap_and_are_never_cut():
    name = "安徽省合肥市庐阳区示范职业技能培训学校职业技能等级认定评价中心"
    text = text_of(render_certificate(cert(institution_name=name, employer=name), site_url=SITE))
    assert text.count(name) == 3  # the seal place, 所在单位 and 评价机构


@given(st.text(alphabet="职业技能等级证书，。（）“”评价机构车工数控ABCxyz0123456789-/:.", max_size=120),
       st.floats(min_value=40, max_value=400))
def test_wrap_keeps_every_character_and_the_width(text, width):
    lines = wrap(text, 16, width)
    assert "".join(lines) == text
    for line in lines:  # only a single character (or an ASCII run) may be wider than the line
        assert text_width(line, 16) <= width + 1e-6 or len(re.findall(r"[!-.0-~]*/+|[!-~]+|[^!-~]", line)) == 1


# --- the photo -------------------------------------------------------------------

def _images(pdf: bytes) -> list:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    xobjects = page["/Resources"].get("/XObject", {})
    return [x.get_object() for x in xobjects.values() if x.get_object()["/Subtype"] == "/Image"]


def test_jpeg_photo_is_embedded_as_is__CERT_04():
    photo = jpeg()
    (image,) = _images(render_certificate(cert(photo=photo), site_url=SITE))
    assert image["/Filter"] == ["/DCTDecode"] or image["/Filter"] == "/DCTDecode"
    assert image._data == photo  # no re-encoding


def test_rotated_phone_photo_is_printed_upright():
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # stored lying on its side: turn 90° clockwise to view
    Image.new("RGB", (579, 413), (200, 170, 150)).save(buf, "JPEG", exif=exif.tobytes())
    (image,) = _images(render_certificate(cert(photo=buf.getvalue()), site_url=SITE))
    assert (image["/Width"], image["/Height"]) == (413, 579)


def test_png_photo_is_drawn():
    buf = io.BytesIO()
    Image.new("RGB", (350, 490), "white").save(buf, "PNG")
    assert len(_images(render_certificate(cert(photo=buf.getvalue()), site_url=SITE))) == 1


def test_no_photo_prints_a_labelled_frame():
    pdf = render_certificate(cert(photo=None), site_url=SITE)
    assert _images(pdf) == [] and "照片" in text_of(pdf)


def test_broken_photo_prints_the_frame_and_warns(caplog):
    with caplog.at_level(logging.WARNING):
        pdf = render_certificate(cert(photo=b"\xff\xd8 not a jpeg"), site_url=SITE)
    assert _images(pdf) == [] and "照片" in text_of(pdf)
    assert "could not be decoded" in caplog.text and "欧阳明月" not in caplog.text


# --- the QR code -------------------------------------------------------------------

@given(st.lists(st.binary(min_size=9, max_size=9), min_size=1, max_size=9))
def test_qr_runs_rebuild_the_matrix(rows):
    matrix = [bytearray(b & 1 for b in row) for row in rows]
    rebuilt = [bytearray(9) for _ in matrix]
    for row, col, length in qr_runs(matrix):
        assert length > 0 and all(rebuilt[row][col + i] == 0 for i in range(length))
        rebuilt[row][col:col + length] = b"\x01" * length
    assert rebuilt == matrix


def _matrix_image(matrix, scale=4, quiet=4):
    """The matrix as a black-on-white image with its 4-module quiet zone, as a printer would draw it."""
    n = len(matrix) + 2 * quiet
    image = Image.new("L", (n, n), 255)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.putpixel((x + quiet, y + quiet), 0)
    return image.resize((n * scale, n * scale), Image.NEAREST)


def test_qr_matrix_is_a_full_qr_code_at_level_m_that_decodes_to_the_url__CERT_04():
    url = cert().verify_url
    matrix = qr_matrix(url)
    n = len(matrix)
    assert n >= 21 and (n - 21) % 4 == 0 and all(len(row) == n for row in matrix)  # a QR version, not Micro QR
    assert set().union(*map(set, matrix)) == {0, 1}
    (code,) = zxingcpp.read_barcodes(_matrix_image(matrix), formats=zxingcpp.BarcodeFormat.QRCode)
    assert (code.text, code.ec_level) == (url, "M")
    assert segno.make(url, error="m", boost_error=False).version >= (n - 17) // 4  # never a larger symbol


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=120))
def test_qr_matrix_decodes_to_any_printable_content__CERT_04(content):
    (code,) = zxingcpp.read_barcodes(_matrix_image(qr_matrix(content)), formats=zxingcpp.BarcodeFormat.QRCode)
    assert (code.text, code.ec_level) == (content, "M")


def test_qr_is_30mm_one_filled_path__CERT_04():
    data = cert()
    n = len(qr_matrix(data.verify_url))
    ops = page_ops(render_certificate(data, site_url=SITE))
    module = float(re.search(r"([\d.]+) 0 0 -([\d.]+) [\d.]+ [\d.]+ cm", ops).group(1))
    assert abs(module * n - 30 * mm) < 0.01
    runs = len(qr_runs(qr_matrix(data.verify_url)))
    assert re.search(r"(?:\d+ \d+ \d+ 1 re\s+){" + str(runs) + r"}f\b", ops)  # every run, then one fill


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_printed_qr_code_decodes_to_the_verify_url__CERT_04(tmp_path):
    data = cert()
    (tmp_path / "c.pdf").write_bytes(render_certificate(data, site_url=SITE))
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(tmp_path / "c.pdf"), str(tmp_path / "c")],
                   check=True)
    (code,) = zxingcpp.read_barcodes(Image.open(tmp_path / "c.png"))
    assert (code.text, code.ec_level) == (data.verify_url, "M")


# --- many certificates in one PDF ------------------------------------------------------

def test_three_certificates_give_three_pages_and_progress__CERT_04():
    calls, out = [], io.BytesIO()
    items = [cert(number=f"S00003401000126200012{i + 1}", holder_name=name) for i, name in enumerate("甲乙丙")]
    assert render_certificates(items, out, site_url=SITE, progress=calls.append) == 3
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == 3 and calls == [3]
    assert ["甲" in p.extract_text() for p in reader.pages] == [True, False, False]


def test_progress_every_50_pages_and_pages_written_as_they_go():
    out = io.BytesIO()
    sizes = []

    def items():
        for i in range(101):
            sizes.append(out.tell())
            yield cert(number=f"S000034010001262{i + 1:06d}", photo=jpeg((i, 100, 100)))

    calls = []
    assert render_certificates(items(), out, site_url=SITE, progress=calls.append) == 101
    assert calls == [50, 100, 101]
    assert 0 < sizes[2] < sizes[50] < sizes[100]  # the stream grows page by page, not at the end
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == 101
    fonts = {f.get_object()["/BaseFont"] for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert len([f for f in fonts if "Kai" in f]) <= 2  # one font, subset once for the whole file


def test_nothing_to_render_is_an_error():
    with pytest.raises(ValueError):
        render_certificates([], io.BytesIO(), site_url=SITE)


# --- the font --------------------------------------------------------------------

def test_missing_font_names_the_debian_package(settings):
    settings.CERTIFICATE_KAI_FONT_PATH = "/nonexistent/ukai.ttc"
    with pytest.raises(KaiFontMissing, match=DEBIAN_PACKAGE):
        register_fonts()
    with pytest.raises(KaiFontMissing):
        render_certificate(cert(), site_url=SITE)


def test_font_without_chinese_is_refused(settings):
    dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    if not shutil.os.path.exists(dejavu):
        pytest.skip("no DejaVu font here")
    settings.CERTIFICATE_KAI_FONT_PATH = dejavu
    with pytest.raises(KaiFontMissing, match="lacks glyphs"):
        register_fonts()


def test_registration_is_once_and_thread_safe():
    with ThreadPoolExecutor(8) as pool:
        fonts = list(pool.map(lambda _: register_fonts(), range(32)))
    assert all(f is fonts[0] for f in fonts) and pdfmetrics.getFont(KAI_FONT_NAME) is fonts[0]


def test_font_has_every_glyph_we_print():
    sample = ("职业技能等级证书姓名证件号码职业名称工种等级证书编号发证日期评价机构高级技师——　" + LEFT_PAGE_BODY
              + "一级二级三级四级五级技师高级工中级工初级工已作废照片办理结果告知书盖章终止信息公开选项主动公开")
    assert missing_glyphs(sample) == set()


def test_rare_name_characters_are_reported(caplog):
    assert missing_glyphs("张𠮷") == {"𠮷"}
    with caplog.at_level(logging.WARNING):
        render_certificate(cert(holder_name="张𠮷"), site_url=SITE)
    assert "print as boxes" in caplog.text and "𠮷" not in caplog.text


# --- the filing notices (SC21 附件3) ---------------------------------------------------

def test_filing_receipt_names_number_institution_and_publication__FIL_08():
    pdf = render_filing_receipt(notice())
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595) <= 1 and abs(float(box.height) - 842) <= 1  # A4 portrait
    text = text_of(pdf)
    for expected in ("设立备案办理结果告知书", "皖人社鉴备〔2026〕12号", "合肥示范教育科技有限公司：",
                     "S000034010001", "合肥示范职业技能评价中心", "合肥市人力资源和社会保障局网站“机构备案公告”栏目",
                     "备案结果公布于", "经审查", "2026年3月5日至2029年3月4日", "车工（6-18-01-01）", "三级/高级工",
                     "邮寄或送达", "合肥市人力资源和社会保障局（盖章）", "2026年3月5日", "信息公开选项：主动公开"):
        assert expected in text, expected


def test_filing_receipt_needs_number_and_publication_place__FIL_08():
    with pytest.raises(ValueError, match="FIL-08"):
        render_filing_receipt(notice(filing_number=""))
    with pytest.raises(ValueError, match="publication_place"):
        render_filing_receipt(notice(publication_place=""))


def test_long_occupation_list_runs_onto_a_second_page__FIL_08():
    rows = [(f"职业{i}（6-18-01-{i:02d}）", "三级/高级工") for i in range(40)]
    reader = PdfReader(io.BytesIO(render_filing_receipt(notice(occupations=rows))))
    assert len(reader.pages) >= 2
    assert all("序号" in p.extract_text() for p in reader.pages[:2])  # the header repeats
    text = "".join(p.extract_text() for p in reader.pages)
    assert "职业39（6-18-01-39）" in text and "（盖章）" in text


def test_termination_notice_names_reason_and_clause__FIL_04():
    text = text_of(render_termination_notice(notice()))
    assert "因通知一次性补齐材料后5个工作日内未补齐，根据本办法第三条第（一）项规定，终止办理。" in text
    assert "合肥示范教育科技有限公司：" in text and "（盖章）" in text and "2026年3月5日" in text
    assert "S000034010001" not in text  # no filing number: nothing was filed


def test_termination_notice_needs_reason_and_clause__FIL_04():
    with pytest.raises(ValueError, match="FIL-04"):
        render_termination_notice(notice(termination_reason=""))
    with pytest.raises(ValueError, match="termination_clause"):
        render_termination_notice(notice(termination_clause=""))
