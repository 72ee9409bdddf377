"""Issue 3's remaining gaps: the retired pool resolvable by lookup (NUM-03/04), the QR key and its rotation
(CERT-05), a missing Kai font answered with 503 (CERT-04), the daily verification limit, the constant query
count of verification, number properties through the real allocators, and CertificateData's number check."""

import dataclasses
import datetime as dt
import types

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certificates.numbers import (
    PROVINCE_CODES,
    NumberFormatError,
    build_certificate_number,
    build_filing_number,
    parse_certificate_number,
    parse_filing_number,
)
from certificates.selectors import filing_number_lookup
from certificates.services import (
    HolderData,
    certificate_void,
    certificates_issue,
    filing_number_absorb,
    filing_number_allocate,
    filing_number_retire,
    filing_numbers_merge,
)
from certificates.verification import qr_signature, qr_signature_valid, verify_path
from tests.certificates.helpers import resident_id

API = "/api/v1/public/certificates/verify/"


@pytest.fixture(autouse=True)
def _clear_limits():
    cache.clear()
    yield
    cache.clear()


# --- NUM-03/04: the retired pool, still resolvable by lookup --------------------------------------------

@pytest.fixture
def pool(users):
    """Hefei numbers: one in use, one cancelled, two merged into a third, one absorbed by the first."""
    keeper = filing_number_allocate(kind="S", province_code="34", city_code="01", holder_name="合肥甲机构")
    cancelled = filing_number_allocate(kind="S", province_code="34", city_code="01", holder_name="合肥乙机构")
    a = filing_number_allocate(kind="S", province_code="34", city_code="01", holder_name="合肥丙机构")
    b = filing_number_allocate(kind="Y", province_code="34", city_code="01", holder_name="合肥丁公司")
    absorbed = filing_number_allocate(kind="S", province_code="34", city_code="01", holder_name="合肥戊机构")
    filing_number_retire(number=cancelled.number, reason="cancelled", acting_user=users["city_hefei"],
                         on=dt.date(2026, 11, 20))
    merged = filing_numbers_merge(numbers=[a.number, b.number], kind="S", province_code="34", city_code="01",
                                  holder_name="合肥合并后机构", acting_user=users["province_ah"])
    filing_number_absorb(absorber=keeper.number, absorbed=absorbed.number, acting_user=users["province_ah"])
    return {"keeper": keeper.number, "cancelled": cancelled.number, "a": a.number, "b": b.number,
            "merged": merged.number, "absorbed": absorbed.number}


def test_lookup_of_a_number_in_use__NUM_03(pool, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = filing_number_lookup(pool["keeper"].lower())
    assert (found.number, found.status, found.holder_name, found.retired_on, found.successor) == (
        pool["keeper"], "active", "合肥甲机构", None, "")


def test_a_cancelled_number_resolves_with_reason_and_date__NUM_03(pool):
    found = filing_number_lookup(pool["cancelled"])
    assert found.retired and (found.retired_reason, found.retired_on) == ("cancelled", dt.date(2026, 11, 20))
    assert found.successor == "" and found.holder_name == "合肥乙机构"


def test_merged_and_absorbed_numbers_name_their_successor__NUM_04(pool):
    for key in ("a", "b"):
        found = filing_number_lookup(pool[key])
        assert (found.status, found.retired_reason, found.successor, found.successor_holder_name) == (
            "retired", "merged", pool["merged"], "合肥合并后机构")
    found = filing_number_lookup(pool["absorbed"])
    assert (found.retired_reason, found.successor, found.successor_status) == ("absorbed", pool["keeper"], "active")


def test_unknown_and_malformed_numbers__NUM_01(pool):
    assert filing_number_lookup("S000034019999") is None
    with pytest.raises(NumberFormatError) as err:
        filing_number_lookup("S00003401000X")
    assert err.value.rule == "NUM-01"


def test_staff_api_resolves_retired_numbers__NUM_03_NUM_04(api_client, users, pool):
    api_client.force_authenticate(users["city_wuhu"])  # filing numbers are public facts: any staff may look
    body = api_client.get(f"/api/v1/filing-numbers/{pool['a']}/").json()
    assert body["status"] == "retired" and body["retired_reason"] == "merged"
    assert body["successor"] == pool["merged"] and body["retired_on"] == timezone.localdate().isoformat()
    assert body["successor_holder_name"] == "合肥合并后机构"
    body = api_client.get(f"/api/v1/filing-numbers/{pool['keeper']}/").json()
    assert (body["status"], body["retired_reason"], body["successor"], body["retired_on"]) == ("active", "", None, None)


def test_staff_api_errors__NUM_01(api_client, users, pool):
    api_client.force_authenticate(users["province_ah"])
    response = api_client.get("/api/v1/filing-numbers/S00003401000X/")
    assert response.status_code == 400 and response.json()["rule"] == "NUM-01"
    assert api_client.get("/api/v1/filing-numbers/S000034019999/").status_code == 404
    api_client.force_authenticate(users["inst_s"])
    assert api_client.get(f"/api/v1/filing-numbers/{pool['a']}/").status_code == 403
    api_client.force_authenticate(None)
    assert api_client.get(f"/api/v1/filing-numbers/{pool['a']}/").status_code in (401, 403)


def test_staff_register_shows_a_searched_numbers_status__NUM_03(client, users, pool):
    client.force_login(users["city_hefei"])
    response = client.get("/certificates/", {"filing_number": pool["absorbed"]})
    found = response.context["filing_lookup"]["found"]
    assert (found.status, found.retired_reason, found.successor) == ("retired", "absorbed", pool["keeper"])
    html = response.content.decode()
    assert f'data-successor="{pool["keeper"]}"' in html and 'data-status="retired"' in html
    # thirteen characters typed in the search box are a filing number too
    assert client.get("/certificates/", {"q": pool["keeper"]}).context["filing_lookup"]["found"].status == "active"
    never = client.get("/certificates/", {"filing_number": "S000034019999"}).context["filing_lookup"]
    assert "S000034019999" in never["error"]


def test_public_directory_says_a_retired_number_is_retired__NUM_03(client, pool):
    response = client.get("/directory/", {"number": pool["b"]})
    assert response.status_code == 200
    retired = response.context["retired_number"]
    assert (retired.number, retired.retired_reason, retired.successor) == (pool["b"], "merged", pool["merged"])
    html = response.content.decode()
    assert f'data-filing-number="{pool["b"]}"' in html and 'data-reason="merged"' in html
    assert f"?number={pool['merged']}" in html  # a link to the successor
    never = client.get("/directory/", {"number": "S000034019999"})
    assert never.context["retired_number"] is None


# --- CERT-05: the QR key is its own setting, with fallbacks ------------------------------------------------

NUMBER = "S000034010001263000001"


def test_qr_signature_uses_the_dedicated_key_not_secret_key__CERT_05(settings):
    settings.CERTIFICATE_QR_KEY = "qr-key-one"
    signed = qr_signature(NUMBER)
    settings.SECRET_KEY = "a-completely-new-secret-key-after-rotation-0123456789"
    assert qr_signature(NUMBER) == signed and qr_signature_valid(NUMBER, signed)
    settings.CERTIFICATE_QR_KEY = "qr-key-two"
    assert not qr_signature_valid(NUMBER, signed)  # a key nobody lists: forged


def test_fallback_keys_keep_printed_codes_valid__CERT_05(settings):
    settings.CERTIFICATE_QR_KEY = "old-qr-key"
    old = qr_signature(NUMBER)
    settings.CERTIFICATE_QR_KEY, settings.CERTIFICATE_QR_KEY_FALLBACKS = "new-qr-key", ["older", "old-qr-key"]
    assert qr_signature(NUMBER) != old  # new prints get the new key
    assert qr_signature_valid(NUMBER, old) and qr_signature_valid(NUMBER, qr_signature(NUMBER))
    assert not qr_signature_valid("S000034010001263000002", old)  # a changed number still reads as forged


def test_without_the_setting_the_key_derives_from_secret_key_for_development(settings):
    settings.CERTIFICATE_QR_KEY, settings.CERTIFICATE_QR_KEY_FALLBACKS = "", []
    dev = qr_signature(NUMBER)
    settings.SECRET_KEY = "another-dev-secret-key-0123456789abcdefghijklmnopqrstu"
    assert qr_signature(NUMBER) != dev
    settings.CERTIFICATE_QR_KEY_FALLBACKS = ["test-only-secret-key-7d2f1c9a0b8e4f6d3c5a7e9b1d0f2a4c"]
    assert qr_signature_valid(NUMBER, dev)  # the old SECRET_KEY as a fallback keeps pre-setting prints valid


def test_qr_page_accepts_a_code_signed_with_a_fallback_key__CERT_05(client, settings, issued):
    number = issued["zhang"].number
    settings.CERTIFICATE_QR_KEY = "printed-in-2026"
    old_path = verify_path(number)
    settings.CERTIFICATE_QR_KEY, settings.CERTIFICATE_QR_KEY_FALLBACKS = "rotated-in-2027", ["printed-in-2026"]
    response = client.get(old_path)
    assert response.status_code == 200 and response.context["result"]["number"] == number
    settings.CERTIFICATE_QR_KEY_FALLBACKS = []
    assert client.get(old_path).status_code == 400  # dropped from the fallbacks: forged


# --- CERT-04: a missing Kai font is a clear 503, not a 500 ----------------------------------------------

def test_missing_font_gives_a_503_page__CERT_04(client, settings, users, issued):
    settings.CERTIFICATE_KAI_FONT_PATH = "/nonexistent/ukai.ttc"
    client.force_login(users["city_hefei"])
    response = client.get(f"/certificates/{issued['zhang'].pk}/pdf/")
    assert response.status_code == 503 and response["Content-Type"].startswith("text/html")
    assert "certificates/pdf_unavailable.html" in [t.name for t in response.templates]
    from certificates.documents import PDF_UNAVAILABLE

    assert response.context["message"] == PDF_UNAVAILABLE and int(response["Retry-After"]) > 0
    assert str(PDF_UNAVAILABLE) in response.content.decode()


def test_missing_font_gives_a_503_json__CERT_04(api_client, settings, users, issued):
    settings.CERTIFICATE_KAI_FONT_PATH = "/nonexistent/ukai.ttc"
    api_client.force_authenticate(users["city_hefei"])
    response = api_client.get(f"/api/v1/certificates/{issued['zhang'].pk}/pdf/")
    assert response.status_code == 503
    body = response.json()
    assert (body["code"], body["rule"]) == ("pdf_unavailable", "CERT-04") and body["message"]


def test_with_the_font_the_pdf_is_served(api_client, users, issued):
    api_client.force_authenticate(users["city_hefei"])
    response = api_client.get(f"/api/v1/certificates/{issued['zhang'].pk}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


# --- CERT-05: 100 a day, and a constant number of queries -----------------------------------------------

def test_rate_limit_one_hundred_a_day__CERT_05(api_client, issued, monkeypatch):
    """Ten a minute never bites here (the clock moves 6 s a lookup); the 101st of the day is refused."""
    import filing_portal.core.ratelimit as ratelimit

    clock = {"now": 20_000 * 86400.0}  # the start of a day window (and of a minute window)
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: clock["now"]))
    payload = {"number": issued["zhang"].number, "name": "张三"}
    for _ in range(100):
        assert api_client.post(API, payload, format="json").status_code == 200
        clock["now"] += 6
    response = api_client.post(API, payload, format="json")
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 3600  # the daily window, not the minute
    clock["now"] += 86400  # the next day
    assert api_client.post(API, payload, format="json").status_code == 200


def test_verification_by_number_runs_a_constant_number_of_queries__CERT_05(api_client, users, issued,
                                                                           django_assert_max_num_queries):
    counts = []
    cases = [(issued["zhang"].number, "张三"), (issued["zhang"].number, "别人"),
             ("S000034019999263000001", "张三"), ("not a number", "张三")]
    for number, name in cases:
        with django_assert_max_num_queries(1), CaptureQueriesContext(connection) as ctx:
            assert api_client.post(API, {"number": number, "name": name}, format="json").status_code == 200
        counts.append(len(ctx.captured_queries))
    certificate_void(certificate=issued["li"], reason="考试作弊", acting_user=users["city_hefei"])
    with CaptureQueriesContext(connection) as ctx:
        assert api_client.post(API, {"number": issued["li"].number, "name": "李四"}, format="json").json()["found"]
    assert len(set(counts[:3])) == 1 and len(ctx.captured_queries) == counts[0] == 1


def test_verification_page_by_number_runs_a_constant_number_of_queries(client, issued,
                                                                       django_assert_max_num_queries):
    for name in ("张三", "别人"):
        with django_assert_max_num_queries(1):
            client.post("/verify/", {"mode": "number", "n-number": issued["zhang"].number, "n-name": name})


# --- hypothesis: the real allocators, and mutated numbers ------------------------------------------------

HYPO = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@HYPO
@given(kind=st.sampled_from("YS"), province=st.sampled_from(["34", "35", "51", "22"]),
       city=st.from_regex(r"\d{2}", fullmatch=True), institution=st.sampled_from(["0000", "0001", "4321"]))
def test_every_allocated_filing_number_parses_back_to_its_parts__NUM_01_NUM_02(db, kind, province, city, institution):
    record = filing_number_allocate(kind=kind, province_code=province, city_code=city, institution_code=institution)
    parts = parse_filing_number(record.number)
    assert (parts.kind, parts.institution_code, parts.province_code, parts.city_code, parts.serial) == (
        kind, institution, province, city, record.serial)
    assert parts.number == record.number and len(record.number) == 13


@HYPO
@given(levels=st.lists(st.integers(1, 5), min_size=1, max_size=6), year=st.integers(2020, 2035))
def test_every_issued_certificate_number_parses_back_to_its_parts__NUM_05_NUM_07(db, levels, year):
    filing = filing_number_allocate(kind="S", province_code="34", city_code="01").number
    holders = [HolderData(holder_name=f"持证人{i}", id_type="201", id_number=resident_id(i), level=level,
                          occupation_code="4-12-01-01", occupation_name="汽车维修工") for i, level in enumerate(levels)]
    issued = certificates_issue(filing_number=filing, institution_name="合肥示范", issue_date=dt.date(year, 6, 1),
                                holders=holders)
    by_level: dict[int, list[int]] = {}
    for cert in issued:
        parts = parse_certificate_number(cert.number)
        assert (parts.filing_number, parts.year, parts.level, parts.serial) == (
            filing, year % 100, cert.level, cert.serial)
        by_level.setdefault(parts.level, []).append(parts.serial)
    for level, serials in by_level.items():  # NUM-07: from 000001, consecutive, per level
        assert serials == list(range(1, levels.count(level) + 1))


valid_filing = st.builds(build_filing_number, st.sampled_from("YS"), st.from_regex(r"\d{4}", fullmatch=True),
                         st.sampled_from(sorted(PROVINCE_CODES)), st.from_regex(r"\d{2}", fullmatch=True),
                         st.integers(1, 9999))
valid_certificate = st.builds(build_certificate_number, valid_filing, st.integers(0, 99), st.integers(1, 5),
                              st.integers(1, 999999))
LETTERS = "ABCSXYZsy"


@st.composite
def mutated(draw, numbers):
    """A valid number with one character's class changed (digit ↔ letter), or one character more or fewer."""
    number = draw(numbers)
    how = draw(st.sampled_from(["class", "shorter", "longer"]))
    i = draw(st.integers(0, len(number) - 1))
    if how == "class":
        new = draw(st.sampled_from("0123456789")) if number[i].isalpha() else draw(st.sampled_from(LETTERS))
        return number[:i] + new + number[i + 1:]
    if how == "shorter":
        return number[:i] + number[i + 1:]
    return number[:i] + draw(st.sampled_from("0123456789" + LETTERS)) + number[i:]


@given(mutated(valid_filing))
def test_a_mutated_filing_number_never_parses__NUM_01(text):
    with pytest.raises(NumberFormatError):
        parse_filing_number(text)


@given(mutated(valid_certificate))
def test_a_mutated_certificate_number_never_parses__NUM_05(text):
    with pytest.raises(NumberFormatError):
        parse_certificate_number(text)


# --- CertificateData checks its number with the parser ---------------------------------------------------

def _data(**changes):
    from certificates.pdf import CertificateData

    data = CertificateData(
        number=NUMBER, holder_name="张三", id_type_label="居民身份证", id_number="34010419900101123X", employer="",
        occupation_code="4-12-01-01", occupation_name="汽车维修工", work_type="", level=3,
        issue_date=dt.date(2026, 11, 22), institution_name="合肥示范", filing_number="S000034010001",
        verify_url="https://portal.example.gov.cn/verify/c/x/y/")
    return dataclasses.replace(data, **changes) if changes else data


@pytest.mark.parametrize("bad", ["S000099010001263000001",  # 99 is no province (NUM-01)
                                 "S000034010001266000001",  # level 6 (NUM-06)
                                 "S000034010001263000000",  # serial 000000 (NUM-05)
                                 "X000034010001263000001"])  # 22 characters all, yet malformed
def test_certificate_data_rejects_malformed_numbers_of_the_right_length__NUM_05(bad):
    assert len(bad) == 22
    with pytest.raises(ValueError, match=r"NUM-0[156]"):
        _data(number=bad, filing_number=bad[:13])


def test_certificate_data_wants_the_numbers_own_filing_number__NUM_05():
    assert _data().number == NUMBER
    with pytest.raises(ValueError, match="filing number"):
        _data(filing_number="S000034010002")
    with pytest.raises(ValueError, match="canonical"):
        _data(number=NUMBER.lower(), filing_number="s000034010001")
