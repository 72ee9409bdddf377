"""PUB-04: ID numbers are shown masked everywhere but to the roles that need them."""

from hypothesis import given
from hypothesis import strategies as st

from filing_portal.personal_data import mask_id_number

from .helpers import VALID_RIC


def test_pub04_resident_id_masked_as_in_design():
    assert mask_id_number("34010219900101123X") == "340***********123X"
    assert len(mask_id_number(VALID_RIC)) == 18


def test_pub04_short_numbers():
    assert mask_id_number("E12345678") == "E******78"  # 9: first 1, last 2
    assert mask_id_number("123456") == "1***56"
    assert mask_id_number("H1234567801") == "H12****7801"  # 11: first 3, last 4
    assert mask_id_number("12345") == "****5"
    assert mask_id_number("7") == "7"
    assert mask_id_number("") == ""
    assert mask_id_number(None) == ""


@given(st.text(min_size=1, max_size=40))
def test_pub04_property_mask_keeps_length_and_ends(text):
    masked = mask_id_number(text)
    assert len(masked) == len(text)
    assert masked[-1] == text[-1]
    if len(text) >= 6:
        assert masked[0] == text[0]
    if len(text) >= 10:
        assert masked[:3] == text[:3] and masked[-4:] == text[-4:]


@given(st.from_regex(r"\A\d{17}[\dX]\Z", fullmatch=True))
def test_pub04_property_18_char_number_never_shows_its_middle(number):
    masked = mask_id_number(number)
    assert masked == number[:3] + "*" * 11 + number[-4:]
    assert number[3:14] not in masked
    assert number[6:14] not in masked  # the birth date
