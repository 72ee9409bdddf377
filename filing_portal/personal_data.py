"""个人信息: certificate holders' ID numbers (DESIGN.md "Personal data", CERT-02, PUB-04).

ID numbers are personal information under the PIPL. This module is the one place that
validates them (CERT-02), encrypts them at rest (AES-GCM), indexes them for exact-match
lookup (HMAC-SHA256), masks them for display (PUB-04), audits every reveal of the full
number and keeps them out of logs.

Storage pattern for a model::

    id_type = models.CharField(max_length=3, choices=IdType.choices)
    id_number = EncryptedCharField()
    id_number_hash = HmacIndexField(source="id_number")

    Holder.objects.filter(**lookup_kwargs(number))   # never filter on id_number itself
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import logging
import os
import re
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import ric

from filing_portal.core.errors import DomainError, PermissionDeniedError

__all__ = [
    "ID_TYPES",
    "REVEAL_ROLES",
    "EncryptedCharField",
    "HmacIndexField",
    "IdNumberRedactingFilter",
    "IdType",
    "PersonalDataDecryptionError",
    "decrypt_value",
    "encrypt_value",
    "id_number_index",
    "lookup_kwargs",
    "mask_id_number",
    "normalize_id_number",
    "personal_data_reveal",
    "validate_id_number",
]


# ---------------------------------------------------------------------------
# ID types (CERT-02)
# ---------------------------------------------------------------------------

class IdType(models.TextChoices):
    """证件类型: the CERT-02 code table (AH20 附件5 备注). The labels are the official names."""

    RESIDENT_ID_CARD = "201", "居民身份证"
    CHINESE_PASSPORT = "227", "中国护照"
    HK_MACAO_TRAVEL_PERMIT = "210", "港澳居民来往内地通行证"
    HK_MACAO_RESIDENCE_PERMIT = "237", "港澳居民居住证"
    TAIWAN_TRAVEL_PERMIT = "213", "台湾居民来往大陆通行证"
    TAIWAN_RESIDENCE_PERMIT = "238", "台湾居民居住证"
    FOREIGN_PASSPORT = "208", "外国护照"
    FOREIGN_PERMANENT_RESIDENT_ID = "233", "外国人永久居留身份证"
    WORK_PERMIT_A = "239", "外国人工作许可证（A类）"
    WORK_PERMIT_B = "240", "外国人工作许可证（B类）"
    WORK_PERMIT_C = "241", "外国人工作许可证（C类）"
    OTHER = "299", "其他"


#: The CERT-02 table under its rule name; the same class as `IdType`.
ID_TYPES = IdType


# ---------------------------------------------------------------------------
# Normalising and validating (CERT-02)
# ---------------------------------------------------------------------------

# Full-width ASCII (U+FF01..U+FF5E) to half-width; an IME often types ＩＤ numbers this way.
# Not NFKC: that would also fold circled digits, ligatures etc. into plausible-looking numbers.
_FULL_TO_HALF = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_TO_HALF[0x3000] = 0x20  # ideographic space

_RIC_SHAPE = re.compile(r"^\d{17}[\dX]$", re.ASCII)


def normalize_id_number(number) -> str:
    """The canonical form of a typed number: half-width, no whitespace anywhere, upper case."""
    if number is None:
        return ""
    text = str(number).translate(_FULL_TO_HALF)
    return "".join(text.split()).upper()


def _invalid(message: str, **params) -> ValidationError:
    # The rule ID stays outside the msgid so no translation can drop it.
    return ValidationError("CERT-02: " + message, code="CERT-02", params=params or None)


_ONE_DAY = dt.timedelta(days=1)


def _check_birth_date(number: str) -> None:
    """Positions 7–14 of a GB 11643-shaped number are the birth date YYYYMMDD."""
    try:  # what stdnum.cn.ric.get_birth_date reads, without its character clean-up of an already clean number
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    # Today in Asia/Shanghai is at most a day off the machine's date: only a birth date that close needs
    # the (slower) time-zone-aware date; an import of 20,000 rows asks 20,000 times.
    if born is None or born.year < 1900 or (born >= dt.date.today() - _ONE_DAY and born > timezone.localdate()):
        raise _invalid(_("the birth date in the number (digits 7–14) is not a valid date."))


def _check_gb11643_digit(number: str) -> None:
    # stdnum's calc_check_digit takes the whole number and ignores its last character.
    if number[-1] != ric.calc_check_digit(number):
        raise _invalid(_("the check digit (last character) is wrong; please check the number."))


def _ric_region_known(number: str) -> bool:
    """Whether the first six digits are a county code GB/T 2260 has ever used."""
    return _county_code_known(number[:6])


@lru_cache(maxsize=8192)
def _county_code_known(code: str) -> bool:
    # stdnum walks its text database on every lookup (a third of an import's time in a profile of
    # bench_candidates_import); there are about 6,000 county codes, so remember each answer.
    info: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(code):
        info.update(props)
    return "county" in info


def _validate_resident_id(number: str) -> str:
    # 201 居民身份证 — GB 11643-1999 公民身份号码: 6-digit address code (GB/T 2260),
    # 8-digit birth date, 3-digit sequence, ISO 7064 MOD 11-2 check character (0-9 or X).
    # Built from stdnum.cn.ric's parts rather than ric.validate(), which (python-stdnum 2.x)
    # rejects real numbers whose county code was created after the holder's birth year
    # (people born before 1984 got the code current when cards were issued) and raises a
    # bare KeyError for some unknown codes.
    if not _RIC_SHAPE.match(number):
        raise _invalid(_("a resident ID number is 18 characters: 17 digits then a digit or X."))
    _check_gb11643_digit(number)
    if number[:2] in {"81", "82", "83"}:
        raise _invalid(_("this is a Hong Kong, Macao or Taiwan residence permit number; "
                         "choose ID type 237 or 238."))
    _check_birth_date(number)
    if not _ric_region_known(number):
        raise _invalid(_("the first six digits are not a known region code."))
    return number


def _residence_permit(prefixes: tuple[str, ...], shape_message: str):
    # 237/238 港澳台居民居住证 — 《港澳台居民居住证申领发放办法》(国办发〔2018〕81号):
    # a 公民身份号码 whose address code is 810000 (Hong Kong), 820000 (Macao) or
    # 830000 (Taiwan), with the same GB 11643 birth date and check character.
    def validate(number: str) -> str:
        if not (_RIC_SHAPE.match(number) and number.startswith(prefixes)):
            raise _invalid(shape_message)
        _check_gb11643_digit(number)
        _check_birth_date(number)
        return number

    return validate


def _validate_permanent_resident_id(number: str) -> str:
    # 233 外国人永久居留身份证 — the 2017 card: 3-letter ISO 3166 nationality code + 12 digits
    # (issuing place, birth date YYMMDD, sequence); the 2023 card (国家移民管理局公告 2023):
    # 18 characters "9" + province (2) + nationality (3) + birth date (8) + sequence (3)
    # + GB 11643 check character, so it sits in systems built for resident ID numbers.
    if re.fullmatch(r"[A-Z]{3}\d{12}", number, re.ASCII):
        return number
    if _RIC_SHAPE.match(number) and number.startswith("9"):
        _check_gb11643_digit(number)
        _check_birth_date(number)
        return number
    raise _invalid(_("a foreign permanent resident ID card number is 3 letters and 12 digits (older card) "
                     "or 18 characters starting with 9 (2023 card)."))


def _pattern(regex: str, message: str):
    compiled = re.compile(regex, re.ASCII)

    def validate(number: str) -> str:
        if not compiled.fullmatch(number):
            raise _invalid(message)
        return number

    return validate


def _validate_other(number: str) -> str:
    # 299 其他 — no national format; only keep out control characters and absurd lengths.
    if not (1 <= len(number) <= 30 and number.isprintable()):
        raise _invalid(_("the document number must be 1 to 30 visible characters."))
    return number


def _validators() -> dict[str, object]:
    return _validators_in(translation.get_language())


@lru_cache(maxsize=32)
def _validators_in(language: str | None) -> dict[str, object]:
    # Built once per language (the caller's active one), so each message is translated in it.
    alnum_5_20 = _pattern(r"[A-Z0-9]{5,20}", _("the document number must be 5 to 20 letters or digits."))
    return {
        IdType.RESIDENT_ID_CARD: _validate_resident_id,
        # 227 中华人民共和国护照 — E (ordinary e-passport, E + 8 digits, then E + letter + 7 digits
        # since the E-series ran out), G (ordinary, pre-2012), D (diplomatic), S (service),
        # P (public affairs); 9 characters in all (出入境管理局 passport number series).
        IdType.CHINESE_PASSPORT: _pattern(
            r"[EGDSP][A-Z0-9]{8}",
            _("a Chinese passport number is E, G, D, S or P followed by 8 letters or digits."),
        ),
        # 210 港澳居民来往内地通行证 (回乡证) — H (Hong Kong) or M (Macao) + 8 digits on the 2013
        # card; older booklets add 2 digits of issue count (H + 10 digits).
        IdType.HK_MACAO_TRAVEL_PERMIT: _pattern(
            r"[HM](\d{8}|\d{10})",
            _("a Hong Kong/Macao residents' travel permit number is H or M followed by 8 or 10 digits."),
        ),
        IdType.HK_MACAO_RESIDENCE_PERMIT: _residence_permit(
            ("810000", "820000"),
            _("a Hong Kong/Macao residence permit number is 18 characters starting with 810000 "
              "(Hong Kong) or 820000 (Macao)."),
        ),
        # 213 台湾居民来往大陆通行证 (台胞证) — 8 digits on the 2015 card; older booklets
        # have 10 (8 + 2 digits of issue count).
        IdType.TAIWAN_TRAVEL_PERMIT: _pattern(
            r"\d{8}|\d{10}", _("a Taiwan residents' travel permit number is 8 or 10 digits."),
        ),
        IdType.TAIWAN_RESIDENCE_PERMIT: _residence_permit(
            ("830000",), _("a Taiwan residence permit number is 18 characters starting with 830000."),
        ),
        IdType.FOREIGN_PERMANENT_RESIDENT_ID: _validate_permanent_resident_id,
        # 208 外国护照 — ICAO Doc 9303 allows up to 9 characters in the MRZ, but issuing states
        # print longer numbers; 239–241 外国人工作许可证 (A/B/C类) numbers are issued by the
        # 外国人来华工作管理服务系统. Neither has a public checksum: letters and digits only.
        IdType.FOREIGN_PASSPORT: alnum_5_20,
        IdType.WORK_PERMIT_A: alnum_5_20,
        IdType.WORK_PERMIT_B: alnum_5_20,
        IdType.WORK_PERMIT_C: alnum_5_20,
        IdType.OTHER: _validate_other,
    }


def validate_id_number(id_type: str, number: str) -> str:
    """CERT-02: check `number` against the format of ID type `id_type`; return it normalised.

    Raises `ValidationError` (code "CERT-02", message starting "CERT-02: ").
    """
    validators = _validators()
    code = normalize_id_number(id_type)
    if code not in validators:
        raise _invalid(_("unknown ID type code “%(id_type)s”."), id_type=str(id_type))
    normalised = normalize_id_number(number)
    if not normalised:
        raise _invalid(_("the ID number is required."))
    return validators[code](normalised)


# ---------------------------------------------------------------------------
# Masking (PUB-04)
# ---------------------------------------------------------------------------

def mask_id_number(number) -> str:
    """PUB-04: the number as shown to the public and to roles without a reveal.

    Same length as the input: `34010219900101123X` → `340***********123X`. Never raises.
    """
    if not number:
        return ""
    text = str(number)
    length = len(text)
    if length >= 10:
        head, tail = 3, 4
    elif length >= 6:
        head, tail = 1, 2
    else:
        head, tail = 0, 1
    return text[:head] + "*" * (length - head - tail) + text[length - tail:]


# ---------------------------------------------------------------------------
# Keys, encryption, index
# ---------------------------------------------------------------------------

_CIPHERTEXT_VERSION = "v1:"
_NONCE_BYTES = 12


class PersonalDataDecryptionError(ValueError):
    """A stored value could not be decrypted: wrong key, tampered data or not our format."""


def _hkdf(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


@lru_cache(maxsize=8)
def _derive_keys(master_setting: str, fallback_secret: str) -> tuple[bytes, bytes]:
    """(encryption key, index key) for a PERSONAL_DATA_KEY value, or SECRET_KEY when it is empty.

    Cached on the setting strings, so tests that override settings get their own keys.
    """
    if master_setting:
        try:
            master = base64.urlsafe_b64decode(master_setting + "=" * (-len(master_setting) % 4))
        except (binascii.Error, ValueError) as exc:
            raise ImproperlyConfigured("PERSONAL_DATA_KEY is not valid urlsafe base64.") from exc
        if len(master) != 32:
            raise ImproperlyConfigured("PERSONAL_DATA_KEY must encode exactly 32 bytes.")
    else:
        master = _hkdf(fallback_secret.encode(), b"filing_portal/personal-data/dev-master-from-secret-key")
    # Separate subkeys so the lookup index reveals nothing about the encryption key.
    return (
        _hkdf(master, b"filing_portal/personal-data/aes-gcm/v1"),
        _hkdf(master, b"filing_portal/personal-data/hmac-index/v1"),
    )


@lru_cache(maxsize=1)
def _cipher_and_index_key() -> tuple[AESGCM, bytes]:
    """The AES-GCM cipher and the index's HMAC key, derived once (not per value: a 10,000-certificate batch
    encrypts and indexes 10,000 numbers); forgotten when a test overrides the settings they come from."""
    encryption, index = _keys()
    return AESGCM(encryption), index


@receiver(setting_changed)
def _keys_forget(*, setting, **kwargs) -> None:
    if setting in {"PERSONAL_DATA_KEY", "SECRET_KEY", "DEBUG", "SETTINGS_MODULE"}:
        _cipher_and_index_key.cache_clear()


def _keys() -> tuple[bytes, bytes]:
    master_setting = getattr(settings, "PERSONAL_DATA_KEY", "") or ""
    if master_setting:
        return _derive_keys(master_setting, "")
    # Only development may fall back on SECRET_KEY: rotating SECRET_KEY would make every
    # stored number unreadable. Production settings already require the key.
    local = (getattr(settings, "SETTINGS_MODULE", "") or os.environ.get("DJANGO_SETTINGS_MODULE", ""))
    if not (settings.DEBUG or local.endswith(".local")):
        raise ImproperlyConfigured("PERSONAL_DATA_KEY must be set when DEBUG is off (DESIGN.md 'Personal data').")
    if not settings.SECRET_KEY:
        raise ImproperlyConfigured("PERSONAL_DATA_KEY or SECRET_KEY must be set.")
    return _derive_keys("", settings.SECRET_KEY)


def encrypt_value(plain: str) -> str:
    """AES-256-GCM with a random nonce: `v1:` + urlsafe base64(nonce ‖ ciphertext ‖ tag).

    The version prefix names the key generation, so keys can be rotated later.
    """
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _cipher_and_index_key()[0].encrypt(nonce, plain.encode("utf-8"), None)
    return _CIPHERTEXT_VERSION + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt_value(token: str) -> str:
    """The plain text of an `encrypt_value` token; `PersonalDataDecryptionError` if it is not one."""
    if not token.startswith(_CIPHERTEXT_VERSION):
        raise PersonalDataDecryptionError("Unknown personal-data ciphertext version.")
    try:
        raw = base64.urlsafe_b64decode(token[len(_CIPHERTEXT_VERSION):])
        plain = _cipher_and_index_key()[0].decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None)
    except (binascii.Error, ValueError, InvalidTag) as exc:
        # Never include the token or plain text: this message may reach logs.
        raise PersonalDataDecryptionError("Personal-data ciphertext failed to decrypt (wrong key or tampered).") \
            from exc
    return plain.decode("utf-8")


def id_number_index(number) -> str:
    """HMAC-SHA256 (hex) of the normalised number: the only way to look a number up."""
    message = normalize_id_number(number).encode("utf-8")
    return hmac.new(_cipher_and_index_key()[1], message, hashlib.sha256).hexdigest()


def lookup_kwargs(number, field: str = "id_number_hash") -> dict[str, str]:
    """Filter kwargs finding rows whose ID number equals `number`: `Model.objects.filter(**lookup_kwargs(n))`.

    An empty `number` matches nothing (rows without a number have an empty index, never a digest).
    """
    return {field: id_number_index(number)}


# ---------------------------------------------------------------------------
# Model fields
# ---------------------------------------------------------------------------

class EncryptedCharField(models.TextField):
    """A text column holding AES-GCM ciphertext; the model attribute is the plain text.

    Each save encrypts with a fresh nonce, so the column cannot be filtered on: every
    lookup but `isnull` is refused rather than silently matching nothing. Look rows up
    through a `HmacIndexField` beside it. `update_fields` and `bulk_update` must name the
    index field too, or the index goes stale.
    """

    description = "Encrypted text (personal data)"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_value(value)

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_value(value)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def formfield(self, **kwargs):
        # An ID number is one line: the plain CharField form field, not TextField's textarea.
        return models.Field.formfield(self, **{"form_class": forms.CharField, "max_length": self.max_length,
                                               **kwargs})


class HmacIndexField(models.CharField):
    """The keyed hash of another field's ID number, computed on save, for exact-match lookups.

    `HmacIndexField(source="id_number")`; empty when the source is empty.
    """

    description = "HMAC-SHA256 index of a personal-data field"
    _forced_defaults = {"max_length": 64, "db_index": True, "editable": False, "blank": True}

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        for name, default in self._forced_defaults.items():
            kwargs.setdefault(name, default)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for attr, default in self._forced_defaults.items():
            value = getattr(self, attr)
            if value == default:
                kwargs.pop(attr, None)
            else:
                kwargs[attr] = value
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        plain = getattr(model_instance, self.source)
        digest = id_number_index(plain) if plain else ""
        setattr(model_instance, self.attname, digest)
        return digest


# ---------------------------------------------------------------------------
# Audited reveal (PUB-04)
# ---------------------------------------------------------------------------

#: Roles whose work needs the full number (identity checks on filings and certificates).
REVEAL_ROLES = frozenset({"city_staff", "province_staff", "admin"})


def personal_data_reveal(*, obj: models.Model, field: str, acting_user, reason: str, ip: str | None = None) -> str:
    """PUB-04: the full value of encrypted field `field` of `obj`, for staff, with the reason audited.

    The audit event records who, which object and field, and why — never the number.
    Not durable: an export or a page may reveal inside its own transaction.
    """
    if not getattr(acting_user, "is_authenticated", False) or getattr(acting_user, "role", None) not in REVEAL_ROLES:
        raise PermissionDeniedError(_("Only city staff, province staff and administrators may see "
                                      "full ID numbers."), rule="PUB-04")
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for seeing the full ID number; it is recorded."), rule="PUB-04",
                          code="reason_required")
    if not isinstance(obj._meta.get_field(field), EncryptedCharField):
        # The reveal is for personal data only; anything else has no business in this audit trail.
        raise ValueError(f"{obj._meta.label}.{field} is not an EncryptedCharField.")
    # Imported here: the audit app's models must not load while model modules using these fields import.
    from filing_portal.audit.services import audit_record

    audit_record(actor=acting_user, action="reveal_personal_data", obj=obj, comment=reason.strip(),
                 data={"field": field}, ip=ip)
    return getattr(obj, field) or ""


# ---------------------------------------------------------------------------
# Logging (DESIGN.md: logs never contain ID numbers)
# ---------------------------------------------------------------------------

# Anything shaped like an 18-character resident ID (also residence permits and the 2023
# permanent-residence card). \d is deliberately Unicode so full-width digits are caught too.
_ID_IN_TEXT = re.compile(r"\d{17}[\dXx]")


def _redact(text: str) -> str:
    return _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)


class IdNumberRedactingFilter(logging.Filter):
    """Masks 18-character ID numbers in a record's message, its arguments and its traceback text.

    The message is formatted here, once, so numbers passed as `%d` integers or inside
    objects are caught too; the record then carries the redacted text and no args.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: redact the parts, let logging report it
            if isinstance(record.msg, str):
                record.msg = _redact(record.msg)
            if isinstance(record.args, tuple):
                record.args = tuple(_redact(a) if isinstance(a, str) else a for a in record.args)
            return True
        record.msg = _redact(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _redact(record.exc_text)
        if record.stack_info:
            record.stack_info = _redact(record.stack_info)
        return True

