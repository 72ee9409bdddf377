"""Encrypted storage and the HMAC lookup index (DESIGN.md "Personal data", PUB-04)."""

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from filing_portal.personal_data import (
    HmacIndexField,
    PersonalDataDecryptionError,
    decrypt_value,
    encrypt_value,
    id_number_index,
    lookup_kwargs,
)
from tests.pd_app.models import Holder

from .helpers import VALID_RIC, with_check_digit

OTHER_RIC = with_check_digit("11010119851231002")


def _raw_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_hash FROM pd_app_holder ORDER BY id")
        return cursor.fetchall()


@pytest.mark.django_db
def test_pub04_round_trip_returns_the_plain_number():
    holder = Holder.objects.create(name="张三", id_number=VALID_RIC)
    assert Holder.objects.get(pk=holder.pk).id_number == VALID_RIC
    assert Holder.objects.values_list("id_number", flat=True).get() == VALID_RIC
    holder.refresh_from_db()
    assert holder.id_number == VALID_RIC


@pytest.mark.django_db
def test_pub04_plain_number_never_in_the_database_columns():
    Holder.objects.create(name="张三", id_number=VALID_RIC)
    [(stored, index)] = _raw_rows()
    assert stored.startswith("v1:")
    assert VALID_RIC not in stored
    assert VALID_RIC not in index
    assert VALID_RIC[6:14] not in stored  # not even the birth date
    assert len(index) == 64


@pytest.mark.django_db
def test_pub04_lookup_by_index_finds_the_row_and_only_it():
    holder = Holder.objects.create(name="张三", id_number=VALID_RIC)
    Holder.objects.create(name="李四", id_number=OTHER_RIC)
    assert list(Holder.objects.filter(**lookup_kwargs(VALID_RIC))) == [holder]
    # The index is of the normalised number: spaces, lower case x and full width still match.
    assert Holder.objects.filter(**lookup_kwargs(" ３４０１０２ 19900101 1236")).get() == holder
    assert not Holder.objects.filter(**lookup_kwargs(with_check_digit("34010219900101124"))).exists()
    assert not Holder.objects.filter(**lookup_kwargs("")).exists()


@pytest.mark.django_db
def test_pub04_same_number_twice_gives_different_ciphertexts_same_index():
    Holder.objects.create(name="张三", id_number=VALID_RIC)
    Holder.objects.create(name="张三", id_number=VALID_RIC)
    (cipher1, index1), (cipher2, index2) = _raw_rows()
    assert cipher1 != cipher2
    assert index1 == index2 == id_number_index(VALID_RIC)


@pytest.mark.django_db
def test_pub04_index_follows_a_changed_number_and_empty_stays_empty():
    holder = Holder.objects.create(name="张三", id_number="")
    assert _raw_rows() == [("", "")]
    holder.id_number = OTHER_RIC
    holder.save()
    assert Holder.objects.filter(**lookup_kwargs(OTHER_RIC)).get() == holder
    Holder.objects.bulk_create([Holder(name="王五", id_number=VALID_RIC)])
    assert Holder.objects.filter(**lookup_kwargs(VALID_RIC)).get().name == "王五"


@pytest.mark.django_db
def test_pub04_filtering_on_the_ciphertext_column_is_refused():
    """A filter on the encrypted column could never match, so it fails loudly."""
    with pytest.raises(FieldError):
        Holder.objects.filter(id_number=VALID_RIC).exists()
    Holder.objects.create(name="张三", id_number="")
    assert Holder.objects.filter(id_number__isnull=False).count() == 1


def test_hmac_index_field_deconstructs_with_its_source():
    field = HmacIndexField(source="id_number")
    field.set_attributes_from_name("id_number_hash")
    name, path, args, kwargs = field.deconstruct()
    assert path == "filing_portal.personal_data.HmacIndexField"
    assert kwargs == {"source": "id_number"}
    rebuilt = HmacIndexField(*args, **kwargs)
    assert (rebuilt.max_length, rebuilt.db_index, rebuilt.editable, rebuilt.source) == (64, True, False, "id_number")
    custom = HmacIndexField(source="passport", db_index=False)
    assert custom.deconstruct()[3] == {"source": "passport", "db_index": False}


@given(st.text(max_size=60))
def test_encryption_round_trip_property(plain):
    token = encrypt_value(plain)
    assert token.startswith("v1:")
    assert decrypt_value(token) == plain


def test_tampered_or_foreign_ciphertext_is_refused():
    token = encrypt_value(VALID_RIC)
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(PersonalDataDecryptionError):
        decrypt_value(tampered)
    with pytest.raises(PersonalDataDecryptionError):
        decrypt_value(VALID_RIC)


def test_other_key_cannot_decrypt_and_gives_other_index(settings):
    token = encrypt_value(VALID_RIC)
    index = id_number_index(VALID_RIC)
    settings.PERSONAL_DATA_KEY = "b3RoZXItdGVzdC1rZXktMzItYnl0ZXMtbG9uZy4uLi4="
    with pytest.raises(PersonalDataDecryptionError):
        decrypt_value(token)
    assert id_number_index(VALID_RIC) != index


def test_empty_key_falls_back_to_secret_key_only_in_development(settings):
    settings.PERSONAL_DATA_KEY = ""
    settings.DEBUG = True
    assert decrypt_value(encrypt_value(VALID_RIC)) == VALID_RIC
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured):
        encrypt_value(VALID_RIC)


@pytest.mark.parametrize("bad_key", ["not base64 at all!", "c2hvcnQ="])
def test_malformed_key_is_a_configuration_error(settings, bad_key):
    settings.PERSONAL_DATA_KEY = bad_key
    with pytest.raises(ImproperlyConfigured):
        encrypt_value(VALID_RIC)
