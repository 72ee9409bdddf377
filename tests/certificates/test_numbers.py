"""Filing and certificate numbers: formats, allocation, the retired pool (NUM-01…08)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from certificates.models import Certificate, FilingNumber, NumberCounter
from certificates.numbers import (
    PROVINCE_CODES,
    NumberFormatError,
    build_certificate_number,
    build_filing_number,
    parse_certificate_number,
    parse_filing_number,
)
from certificates.services import (
    HolderData,
    certificate_void,
    certificates_issue,
    filing_number_absorb,
    filing_number_allocate,
    filing_number_retire,
    filing_numbers_merge,
)
from filing_portal.audit.models import AuditEvent
from filing_portal.core.errors import DomainError, PermissionDeniedError
from tests.certificates.helpers import resident_id

kinds = st.sampled_from("YS")
codes4 = st.from_regex(r"\d{4}", fullmatch=True)
provinces = st.sampled_from(sorted(PROVINCE_CODES))
cities = st.from_regex(r"\d{2}", fullmatch=True)


@given(kinds, codes4, provinces, cities, st.integers(1, 9999))
def test_every_filing_number_parses_back_to_its_parts__NUM_01(kind, inst, prov, city, serial):
    number = build_filing_number(kind, inst, prov, city, serial)
    assert len(number) == 13
    parts = parse_filing_number(number)
    assert (parts.kind, parts.institution_code, parts.province_code, parts.city_code, parts.serial) == (
        kind, inst, prov, city, serial)


@given(kinds, provinces, cities, st.integers(1, 9999), st.integers(0, 99), st.integers(1, 5), st.integers(1, 999999))
def test_every_certificate_number_parses_back__NUM_05(kind, prov, city, fserial, year, level, serial):
    filing = build_filing_number(kind, "0000", prov, city, fserial)
    number = build_certificate_number(filing, year, level, serial)
    assert len(number) == 22
    parts = parse_certificate_number(number)
    assert (parts.filing_number, parts.year, parts.level, parts.serial) == (filing, year, level, serial)


@given(st.text(max_size=30))
def test_no_malformed_string_parses__NUM_01_NUM_05(text):
    for parse, rule in ((parse_filing_number, "NUM-01"), (parse_certificate_number, "NUM-05")):
        try:
            parts = parse(text)
        except NumberFormatError as exc:
            assert exc.rule in (rule, "NUM-01")
        else:  # whatever parses is exactly a number built from its parts
            assert parts.number == text.strip().upper()


@pytest.mark.parametrize("bad", ["", "S00003401000", "X000034010001", "S000099010001", "S000034010000",
                                 "S0000340100012", "s00003401000a", "S 00003401000"])
def test_malformed_filing_numbers_are_rejected__NUM_01(bad):
    with pytest.raises(NumberFormatError):
        parse_filing_number(bad)


@pytest.mark.parametrize("bad", ["S000034010001266000001", "S000034010001263000000", "S00003401000126300001",
                                 "S0000340100012630000011"])
def test_malformed_certificate_numbers_are_rejected__NUM_05_NUM_06(bad):
    with pytest.raises(NumberFormatError):
        parse_certificate_number(bad)


def test_example_of_the_source_parses__NUM_01():
    parts = parse_filing_number("S000034010001")  # AH20 附件3: 新华教育集团, Hefei
    assert (parts.kind, parts.province_code, parts.city_code, parts.serial) == ("S", "34", "01", 1)
    assert parse_filing_number("Y000051001064").province_code == "51"  # a published Sichuan renewal


@pytest.mark.django_db
def test_serial_counts_up_per_city_in_filing_order__NUM_02_NUM_08():
    hefei = [filing_number_allocate(kind="S", province_code="34", city_code="01").number for _ in range(3)]
    luan = filing_number_allocate(kind="Y", province_code="34", city_code="24").number
    hefei.append(filing_number_allocate(kind="Y", province_code="34", city_code="01").number)
    assert hefei == ["S000034010001", "S000034010002", "S000034010003", "Y000034010004"]
    assert luan == "Y000034240001"
    assert AuditEvent.objects.filter(action="filing_number.allocate").count() == 5


@pytest.mark.django_db
def test_the_9999th_filing_number_is_the_last__NUM_01():
    NumberCounter.objects.create(scope="F3402", last=9998)
    assert filing_number_allocate(kind="S", province_code="34", city_code="02").number == "S000034029999"
    with pytest.raises(DomainError) as err:
        filing_number_allocate(kind="S", province_code="34", city_code="02")
    assert err.value.rule == "NUM-01" and err.value.code == "numbers_exhausted"
    assert FilingNumber.objects.count() == 1


@pytest.mark.django_db
def test_retired_numbers_stay_resolvable_and_are_never_reused__NUM_03(users):
    first = filing_number_allocate(kind="S", province_code="34", city_code="01")
    filing_number_retire(number=first.number, reason="cancelled", acting_user=users["city_hefei"],
                         on=dt.date(2026, 11, 20))
    first.refresh_from_db()
    assert (first.status, first.retired_reason, first.retired_on) == ("retired", "cancelled", dt.date(2026, 11, 20))
    assert filing_number_allocate(kind="S", province_code="34", city_code="01").number == "S000034010002"
    with pytest.raises(DomainError) as err:
        filing_number_retire(number=first.number, reason="revoked", acting_user=users["city_hefei"])
    assert err.value.rule == "NUM-03"


@pytest.mark.django_db
def test_other_city_staff_may_not_retire__JUR_03(users):
    number = filing_number_allocate(kind="S", province_code="34", city_code="01")
    with pytest.raises(PermissionDeniedError):
        filing_number_retire(number=number.number, reason="cancelled", acting_user=users["city_wuhu"])


@pytest.mark.django_db
def test_merger_gives_a_new_number_and_retires_all_merged__NUM_04(users):
    a = filing_number_allocate(kind="S", province_code="34", city_code="01").number
    b = filing_number_allocate(kind="S", province_code="34", city_code="01").number
    new = filing_numbers_merge(numbers=[a, b], kind="S", province_code="34", city_code="01",
                               holder_name="合并后机构", acting_user=users["province_ah"])
    assert new.number == "S000034010003"
    for old in FilingNumber.objects.filter(number__in=[a, b]):
        assert (old.status, old.retired_reason, old.successor_id) == ("retired", "merged", new.pk)


@pytest.mark.django_db
def test_absorption_keeps_the_absorbers_number__NUM_04(users):
    keeper = filing_number_allocate(kind="S", province_code="34", city_code="01").number
    gone = filing_number_allocate(kind="S", province_code="34", city_code="01").number
    assert filing_number_absorb(absorber=keeper, absorbed=gone, acting_user=users["province_ah"]).number == keeper
    assert FilingNumber.objects.get(number=keeper).status == "active"
    absorbed = FilingNumber.objects.get(number=gone)
    assert (absorbed.status, absorbed.retired_reason, absorbed.successor.number) == ("retired", "absorbed", keeper)


def _holders(n, level=3, **extra):
    return [HolderData(holder_name=f"持证人{i}", id_type="201", id_number=resident_id(i), level=level,
                       occupation_code="4-12-01-01", occupation_name="汽车维修工", **extra) for i in range(n)]


@pytest.mark.django_db
def test_a_batch_gets_consecutive_serials_per_level__NUM_05_NUM_07(users):
    filing = filing_number_allocate(kind="S", province_code="34", city_code="01").number
    holders = _holders(3, level=3) + _holders(2, level=4)
    issued = certificates_issue(filing_number=filing, institution_name="合肥示范", issue_date=dt.date(2026, 11, 22),
                                holders=holders, acting_user=users["city_hefei"])
    assert [c.number for c in issued] == [
        "S00003401000126300000" + "1", "S000034010001263000002", "S000034010001263000003",
        "S000034010001264000001", "S000034010001264000002",
    ]
    again = certificates_issue(filing_number=filing, institution_name="合肥示范", issue_date=dt.date(2026, 12, 1),
                               holders=_holders(1, level=3))
    assert again[0].number == "S000034010001263000004"
    next_year = certificates_issue(filing_number=filing, institution_name="合肥示范",
                                   issue_date=dt.date(2027, 1, 4), holders=_holders(1, level=3))
    assert next_year[0].number == "S000034010001273000001"


@pytest.mark.django_db
def test_one_bad_row_saves_nothing_and_every_bad_row_is_named__CERT_02():
    filing = filing_number_allocate(kind="S", province_code="34", city_code="01").number
    holders = _holders(3)
    holders[1] = HolderData(**{**holders[1].__dict__, "id_number": holders[1].id_number[:-1] + "0"
                               if holders[1].id_number[-1] != "0" else holders[1].id_number[:-1] + "1"})
    holders[2] = HolderData(**{**holders[2].__dict__, "id_type": "999"})
    with pytest.raises(ValidationError) as err:
        certificates_issue(filing_number=filing, institution_name="x", issue_date=dt.date(2026, 11, 22),
                           holders=holders)
    assert set(err.value.message_dict) == {"row 2", "row 3"}
    assert "CERT-02" in " ".join(err.value.message_dict["row 2"])
    assert not Certificate.objects.exists() and not NumberCounter.objects.filter(scope__startswith="C").exists()


@pytest.mark.django_db
def test_exhausting_999999_fails_clearly__NUM_05():
    filing = filing_number_allocate(kind="S", province_code="34", city_code="01").number
    NumberCounter.objects.create(scope=f"C{filing}263", last=999998)
    with pytest.raises(DomainError) as err:
        certificates_issue(filing_number=filing, institution_name="x", issue_date=dt.date(2026, 5, 1),
                           holders=_holders(2))
    assert err.value.rule == "NUM-05" and "1 left" in err.value.message
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_a_retired_number_issues_nothing__NUM_03(users):
    filing = filing_number_allocate(kind="S", province_code="34", city_code="01").number
    filing_number_retire(number=filing, reason="revoked", acting_user=users["province_ah"])
    with pytest.raises(DomainError) as err:
        certificates_issue(filing_number=filing, institution_name="x", issue_date=dt.date(2026, 5, 1),
                           holders=_holders(1))
    assert err.value.rule == "NUM-03"


@pytest.mark.django_db
def test_voided_certificate_keeps_number_reason_and_date__NUM_07(users):
    filing = filing_number_allocate(kind="S", province_code="34", city_code="01").number
    cert = certificates_issue(filing_number=filing, institution_name="x", issue_date=dt.date(2026, 5, 1),
                              holders=_holders(1))[0]
    with pytest.raises(DomainError):
        certificate_void(certificate=cert, reason="  ", acting_user=users["city_hefei"])
    with pytest.raises(PermissionDeniedError):
        certificate_void(certificate=cert, reason="考试作弊", acting_user=users["city_wuhu"])
    certificate_void(certificate=cert, reason="考试作弊", acting_user=users["city_hefei"])
    cert.refresh_from_db()
    assert (cert.status, cert.void_reason, cert.number) == ("voided", "考试作弊", "S000034010001263000001")
    assert cert.voided_on is not None
    assert AuditEvent.objects.get(action="certificate.void").comment == "考试作弊"


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read message texts; they check the English msgids (the UI shows the Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.mark.django_db
def test_a_used_up_scope_reserves_nothing_in_the_other_scopes__NUM_07():
    """Several scopes at once (a batch's levels): one scope that would pass the limit takes nothing anywhere,
    even when the caller catches the refusal and goes on in the same transaction (no gap in the others)."""
    from django.db import transaction

    from certificates.services import serials_reserve_many

    NumberCounter.objects.create(scope="Ctest-a", last=10)
    NumberCounter.objects.create(scope="Ctest-b", last=98)
    with transaction.atomic():
        with pytest.raises(DomainError) as err:
            serials_reserve_many(counts={"Ctest-a": 5, "Ctest-b": 3, "Ctest-c": 1}, limit=100, rule="NUM-05",
                                 what="serials")
        assert err.value.rule == "NUM-05" and "2 left, 3 asked for" in err.value.message
        assert {c.scope: c.last for c in NumberCounter.objects.all()}.get("Ctest-a") == 10
        with pytest.raises(DomainError) as err:
            serials_reserve_many(counts={"Ctest-a": 1, "Ctest-new": 101}, limit=100, rule="NUM-05", what="serials")
        assert "100 left, 101 asked for" in err.value.message
        first = serials_reserve_many(counts={"Ctest-b": 2, "Ctest-a": 5, "Ctest-new": 100}, limit=100,
                                     rule="NUM-05", what="serials")
    assert first == {"Ctest-a": 11, "Ctest-b": 99, "Ctest-new": 1}
    assert {c.scope: c.last for c in NumberCounter.objects.filter(scope__startswith="Ctest")} == {
        "Ctest-a": 15, "Ctest-b": 100, "Ctest-new": 100} | ({"Ctest-c": 0} if NumberCounter.objects.filter(
            scope="Ctest-c").exists() else {})
