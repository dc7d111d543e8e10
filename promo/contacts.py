"""A participant is one person however they type their phone: `8 (999) 123-45-67` is `+79991234567`."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

_PHONE_PUNCTUATION = re.compile(r"[\s()\-.]")


def normalize_contact(raw: str) -> tuple[str, str]:
    """(kind, normalized contact) for a phone number or an e-mail; ValidationError for anything else."""
    text = (raw or "").strip()
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(_("Enter a valid e-mail address or phone number.")) from None
        return "email", text.lower()
    compact = _PHONE_PUNCTUATION.sub("", text)
    digits = compact.lstrip("+")
    if not digits.isdigit():
        raise ValidationError(_("Enter a valid e-mail address or phone number."))
    if compact.startswith("+") and 10 <= len(digits) <= 15:
        return "phone", f"+{digits}"
    if len(digits) == 11 and digits[0] in "78":
        return "phone", f"+7{digits[1:]}"  # Russian numbers are written with 8 or 7 in front
    if len(digits) == 10 and digits[0] == "9":
        return "phone", f"+7{digits}"  # a Russian mobile typed without the country code
    raise ValidationError(_("Enter a valid e-mail address or phone number."))
