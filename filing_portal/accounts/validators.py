"""Password rules beyond Django's own (GB/T 22239-2019 8.1.4.1 a: 口令具有复杂度要求)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CHARACTER_CLASSES = (
    ("lower", lambda c: c.islower()),
    ("upper", lambda c: c.isupper()),
    ("digit", lambda c: c.isdigit()),
    # Anything that is neither a letter nor a digit counts as a symbol: punctuation, a space, a CJK sign.
    ("symbol", lambda c: not c.isalnum()),
)


def character_classes(password: str) -> set[str]:
    return {name for name, test in CHARACTER_CLASSES if any(test(c) for c in password)}


class CharacterClassValidator:
    """At least `min_classes` of the four classes: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(
                _("The password must mix at least %(min)d of: lower-case letters, upper-case letters, "
                  "digits and symbols (GB/T 22239-2019 8.1.4.1).") % {"min": self.min_classes},
                code="password_too_uniform",
                params={"min": self.min_classes},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must mix at least %(min)d kind of character: lower case, upper case, digits, symbols.",
            "Your password must mix at least %(min)d kinds of character: lower case, upper case, digits, symbols.",
            self.min_classes,
        ) % {"min": self.min_classes}
