"""Passwords (GB/T 22239-2019 8.1.4.1 a, ASVS 5.0 V6.2): ≥ 8 characters, 3 of the 4 character classes,
not a common password, not like the user's own name."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from filing_portal.accounts.validators import CharacterClassValidator, character_classes
from tests.factories import UserFactory


def codes(password, user=None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


@pytest.mark.parametrize("password", ["demo-Pass-2026", "kiwiTREE7", "abcdef1!", "ABCDEF1!", "Ab-cd-ef", "中文abc1!x"])
def test_good_passwords_pass(db, password):
    assert codes(password) == set()


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("aB1!xyz", {"password_too_short"}),  # 7 characters, 4 classes
        ("abcdefgh12", {"password_too_uniform"}),  # 2 classes
        ("ABCDEFGH!!", {"password_too_uniform"}),
        ("qwertyuiop", {"password_too_uniform", "password_too_common"}),
        ("Password1", {"password_too_common"}),  # 3 classes, but on the common list
        ("12345678", {"password_too_uniform", "password_too_common", "password_entirely_numeric"}),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(db, password, expected):
    assert codes(password) == expected


def test_a_password_like_the_username_is_refused(db):
    user = UserFactory.build(username="city_hefei", first_name="", last_name="", email="")
    assert "password_too_similar" in codes("City_hefei1", user)


def test_the_classes_are_counted_as_a_user_would():
    assert character_classes("aA1!") == {"lower", "upper", "digit", "symbol"}
    assert character_classes("abc def") == {"lower", "symbol"}  # a space is a symbol
    assert "3" in CharacterClassValidator().get_help_text()


def test_the_admin_user_form_refuses_a_weak_password_and_accepts_a_good_one(client, users):
    client.force_login(users["admin"])
    data = {"username": "new_expert", "role": "expert", "usable_password": "true"}
    weak = client.post("/admin/accounts/user/add/", {**data, "password1": "abcdefgh12", "password2": "abcdefgh12"})
    assert weak.status_code == 200 and "password_too_uniform" in {
        e.code for e in weak.context["adminform"].form.errors.as_data()["password2"]}
    good = client.post("/admin/accounts/user/add/", {**data, "password1": "Kiwi-tree-7", "password2": "Kiwi-tree-7"})
    assert good.status_code == 302
    assert users["admin"].__class__.objects.get(username="new_expert").check_password("Kiwi-tree-7")
