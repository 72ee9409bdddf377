"""CERT-02: ID type codes and the format of each type's number."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from filing_portal.personal_data import ID_TYPES, IdType, normalize_id_number, validate_id_number

from .helpers import CHECK_CHARACTERS, VALID_RIC, with_check_digit, with_wrong_check_digit


def _error(id_type: str, number: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_id_number(id_type, number)
    return info.value


def test_cert02_type_codes_and_labels_are_the_rules_table():
    assert dict(IdType.choices) == {
        "201": "居民身份证",
        "227": "中国护照",
        "210": "港澳居民来往内地通行证",
        "237": "港澳居民居住证",
        "213": "台湾居民来往大陆通行证",
        "238": "台湾居民居住证",
        "208": "外国护照",
        "233": "外国人永久居留身份证",
        "239": "外国人工作许可证（A类）",
        "240": "外国人工作许可证（B类）",
        "241": "外国人工作许可证（C类）",
        "299": "其他",
    }
    assert ID_TYPES is IdType


def test_cert02_unknown_type_code_is_refused_and_named():
    error = _error("202", VALID_RIC)
    assert error.code == "CERT-02"
    assert error.messages[0].startswith("CERT-02: ")
    assert "202" in error.messages[0]


def test_cert02_empty_number_is_refused():
    error = _error("201", "  ")
    assert error.code == "CERT-02"
    assert error.messages[0].startswith("CERT-02: ")


def test_normalize_strips_spaces_uppercases_and_folds_full_width():
    assert normalize_id_number(" 340102 1990 0101 123x ") == "34010219900101123X"
    assert normalize_id_number("３４０１０２１９９００１０１１２３Ｘ") == "34010219900101123X"
    assert normalize_id_number("ｅａ１２３４５６７") == "EA1234567"
    assert normalize_id_number("H\u300012345678") == "H12345678"
    assert normalize_id_number(None) == ""


# --- 201 居民身份证 ---------------------------------------------------------------


def test_cert02_resident_id_valid_returns_normalised():
    assert VALID_RIC == "340102199001011236"
    assert validate_id_number("201", VALID_RIC) == VALID_RIC
    assert validate_id_number(IdType.RESIDENT_ID_CARD, "３４０１０２ １９９００１０１ １２３６") == VALID_RIC
    x_number = next(
        number for number in (with_check_digit(f"11010119850301{seq:03d}") for seq in range(1000))
        if number.endswith("X")
    )
    assert validate_id_number("201", x_number.lower()) == x_number


def test_cert02_resident_id_born_before_county_code_existed_is_valid():
    """340102 was created in 1983; people born earlier got it when cards were issued (ric.validate says no)."""
    number = with_check_digit("34010219650315002")
    assert validate_id_number("201", number) == number


def test_cert02_resident_id_wrong_check_digit_says_so():
    error = _error("201", with_wrong_check_digit("34010219900101123"))
    assert error.code == "CERT-02"
    assert "check digit" in error.messages[0]


@pytest.mark.parametrize(
    "number",
    ["34010219900101123", "3401021990010112367", "3401021990A101123X", "X40102199001011236", "340102-19900101123"],
)
def test_cert02_resident_id_malformed_says_so(number):
    error = _error("201", number)
    assert error.messages[0].startswith("CERT-02: ")
    assert "18 characters" in error.messages[0]


@pytest.mark.parametrize("body", ["34010219900230123", "34010219901301123", "34010218890101123", "34010221000101123"])
def test_cert02_resident_id_impossible_birth_date(body):
    error = _error("201", with_check_digit(body))
    assert "birth date" in error.messages[0]


def test_cert02_resident_id_unknown_region():
    error = _error("201", with_check_digit("99010219900101123"))
    assert "region" in error.messages[0]
    error = _error("201", with_check_digit("34019919900101123"))  # province known, county not
    assert "region" in error.messages[0]


def test_cert02_resident_id_type_refuses_residence_permit_numbers():
    error = _error("201", with_check_digit("81000019900101123"))
    assert "237" in error.messages[0]


@given(
    region=st.sampled_from(["340102", "110101", "510104", "340104", "350102", "220102"]),
    born=st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2005, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_cert02_property_every_generated_resident_id_validates_and_any_other_last_character_fails(
    region, born, sequence
):
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    number = with_check_digit(body)
    assert validate_id_number("201", number) == number
    for other in CHECK_CHARACTERS:
        if other != number[-1]:
            with pytest.raises(ValidationError) as info:
                validate_id_number("201", body + other)
            assert info.value.code == "CERT-02"
            assert "check digit" in info.value.messages[0]


# --- 237 / 238 residence permits -------------------------------------------------


@pytest.mark.parametrize(
    ("id_type", "body"),
    [("237", "81000019900101123"), ("237", "82000019851231004"), ("238", "83000020000229005")],
)
def test_cert02_residence_permit_valid(id_type, body):
    number = with_check_digit(body)
    assert validate_id_number(id_type, number) == number


@pytest.mark.parametrize(
    ("id_type", "number", "fragment"),
    [
        ("237", with_check_digit("83000019900101123"), "810000"),  # a Taiwan permit under 237
        ("238", with_check_digit("81000019900101123"), "830000"),  # a Hong Kong permit under 238
        ("237", with_check_digit("34010219900101123"), "810000"),  # a resident ID under 237
        ("237", "81000019900101123", "810000"),  # 17 characters
        ("237", with_wrong_check_digit("81000019900101123"), "check digit"),
        ("238", with_wrong_check_digit("83000019900101123"), "check digit"),
        ("237", with_check_digit("81000019900231123"), "birth date"),
        ("238", with_check_digit("83000019901301123"), "birth date"),
    ],
)
def test_cert02_residence_permit_invalid(id_type, number, fragment):
    error = _error(id_type, number)
    assert error.code == "CERT-02"
    assert fragment in error.messages[0]


# --- 233 外国人永久居留身份证 --------------------------------------------------------


def test_cert02_permanent_residence_card_old_and_new_formats():
    assert validate_id_number("233", "usa110090010101") == "USA110090010101"
    new = with_check_digit("91184019900101001")
    assert validate_id_number("233", new) == new


@pytest.mark.parametrize(
    "number",
    [
        "US1100900101012",  # two letters
        "USA11009001010",  # 11 digits
        "USA1100900101012",  # 13 digits
        with_wrong_check_digit("91184019900101001"),
        with_check_digit("81184019900101001"),  # 18 characters not starting with 9
        with_check_digit("91184019901301001"),  # month 13
    ],
)
def test_cert02_permanent_residence_card_invalid(number):
    assert _error("233", number).code == "CERT-02"


# --- 210 / 213 / 227 travel documents ----------------------------------------------


@pytest.mark.parametrize(
    ("id_type", "number"),
    [
        ("210", "H12345678"), ("210", "M87654321"), ("210", "H1234567801"), ("210", "h 1234 5678"),
        ("213", "12345678"), ("213", "1234567801"),
        ("227", "E12345678"), ("227", "EA1234567"), ("227", "G12345678"), ("227", "D12345678"),
        ("227", "S12345678"), ("227", "P12345678"),
    ],
)
def test_cert02_travel_documents_valid(id_type, number):
    assert validate_id_number(id_type, number) == normalize_id_number(number)


@pytest.mark.parametrize(
    ("id_type", "number"),
    [
        ("210", "H1234567"), ("210", "H123456789"), ("210", "A12345678"), ("210", "12345678"), ("210", "HA2345678"),
        ("213", "1234567"), ("213", "123456789"), ("213", "T12345678"), ("213", "12345678901"),
        ("227", "X12345678"), ("227", "E1234567"), ("227", "E123456789"), ("227", "12345678"), ("227", "E1234567-"),
    ],
)
def test_cert02_travel_documents_invalid(id_type, number):
    error = _error(id_type, number)
    assert error.code == "CERT-02"
    assert error.messages[0].startswith("CERT-02: ")


# --- 208 / 239 / 240 / 241 / 299 ----------------------------------------------------


@pytest.mark.parametrize("id_type", ["208", "239", "240", "241"])
def test_cert02_foreign_passport_and_work_permits(id_type):
    assert validate_id_number(id_type, "k1234567") == "K1234567"
    assert validate_id_number(id_type, "12345") == "12345"
    assert validate_id_number(id_type, "A" * 20) == "A" * 20
    for bad in ["1234", "A" * 21, "K1234-567", "K1234567/", "护照12345"]:
        assert _error(id_type, bad).code == "CERT-02"


def test_cert02_other_type_takes_any_visible_text_up_to_30():
    assert validate_id_number("299", "军官证 第123号") == "军官证第123号"
    assert validate_id_number("299", "x") == "X"
    assert validate_id_number("299", "A" * 30) == "A" * 30
    assert _error("299", "A" * 31).code == "CERT-02"
    assert _error("299", "AB\x00CD").code == "CERT-02"


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read message texts; they check the English msgids (the UI shows the Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
