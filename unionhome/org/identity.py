"""Chinese resident ID numbers and mobile numbers: validation, normalisation and masking.

Validation relies on python-stdnum (``cn.ric``) and phonenumbers, never on hand-written rules.
"""

import datetime

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError


def normalize_id_number(value: str) -> str:
    """Validate a resident ID number and return it in its compact upper-case form."""
    try:
        return ric.validate(value.strip())
    except InvalidChecksum as exc:
        raise ValidationError(_("The ID number's check digit is wrong."), code="id_checksum") from exc
    except InvalidComponent as exc:
        raise ValidationError(
            _("The ID number contains an impossible birth date or region."), code="id_component"
        ) from exc
    except (InvalidLength, InvalidFormat, StdnumError) as exc:
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a digit or X."), code="id_format"
        ) from exc


def birth_date_of_id(id_number: str) -> datetime.date:
    return ric.get_birth_date(id_number)


def gender_of_id(id_number: str) -> str:
    """'M' or 'F' from the ID number's sequence digit (odd for men)."""
    return "M" if int(id_number[16]) % 2 else "F"


def normalize_mobile(value: str) -> str:
    """Validate a mainland China mobile number and return its 11 national digits."""
    raw = value.strip().replace(" ", "").replace("-", "")
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("This is not a phone number."), code="mobile_format") from exc
    if parsed.country_code != 86 or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(_("This is not a valid mainland China mobile number."), code="mobile_invalid")
    if phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(_("This is not a valid mainland China mobile number."), code="mobile_invalid")
    return str(parsed.national_number)


def mask_id_number(value: str) -> str:
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_mobile(value: str) -> str:
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "****" + value[-4:]
