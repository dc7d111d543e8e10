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


def masked_contact(contact: str) -> str:
    """A contact as staff and exports may show it: `+79991234567` -> `+7******4567`, `alice@example.com` ->
    `a***@example.com` (enough to tell two apart when you hold one, useless to reach anyone)."""
    if "@" in contact:
        local, _at, domain = contact.rpartition("@")
        return f"{local[:1]}***@{domain}"
    digits = contact.lstrip("+")
    kept_head = 1 if len(digits) > 6 else 0
    kept_tail = 4 if len(digits) > 6 else 2
    masked = digits[:kept_head] + "*" * (len(digits) - kept_head - kept_tail) + digits[-kept_tail:]
    return ("+" if contact.startswith("+") else "") + masked


# Contacts inside free text (a moderator's note, a merchant line): an e-mail address, and a phone number in the
# forms people write them. Shapes, not runs of digits: a date, an amount (`1 234,50`), an RRN (12 digits), an
# INN or a card's last 4 are no phone, and a phone never takes in a number that stands beside it.
_EMAIL_IN_TEXT = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
_GAP = r"[ \u00a0-]?"
_RUSSIAN_NUMBER = r"\(?\d{3}\)?" + _GAP + r"\d{3}" + _GAP + r"\d{2}" + _GAP + r"\d{2}"  # (916) 123-45-67
_PHONE_SHAPES = (
    # +7 916 123-45-67: before the general form, which might run on into a number beside it.
    r"(?<![\d+])\+7" + _GAP + _RUSSIAN_NUMBER,
    r"(?<![\w+])[78]" + _GAP + _RUSSIAN_NUMBER,  # 8 (916) 123-45-67, 79161234567
    r"(?<![\w+])(?=\(?9)" + _RUSSIAN_NUMBER,  # a mobile without its code: 916 123 45 67
    r"(?<![\d+])\+\d{1,3}" + _GAP + r"\(?\d{1,4}\)?(?:" + _GAP + r"\(?\d{2,4}\)?){1,4}",  # +44 20 7123 4567
)
# Not the rest of a date, a time or an amount before it, nor running into one after it.
_PHONE_IN_TEXT = re.compile(rf"(?<!\d[.,:/])(?:{'|'.join(_PHONE_SHAPES)})(?!\d|[.,:/]\d)")
# What every shape above holds: its first character, then nine more of digits and gaps. Its search is ten times
# faster than the shapes' (their look-behinds are tried at every character), and most text has no such run.
_MAYBE_PHONE = re.compile(r"[+(789][\d ()\u00a0-]{9}")


def _masked_phone(match: re.Match[str]) -> str:
    try:
        kind, contact = normalize_contact(match.group())
    except ValidationError:
        return match.group()  # a shape, not a number anyone can call (`+1 23 45`)
    return masked_contact(contact) if kind == "phone" else match.group()


def mask_contacts(text: str) -> str:
    """The text with every e-mail address and phone number in it masked as a participant's contact is
    (`писал с i***@mail.ru, тел. +7******4567`)."""
    if "@" in text:
        text = _EMAIL_IN_TEXT.sub(lambda match: masked_contact(match.group()), text)
    if _MAYBE_PHONE.search(text) is None:
        return text
    return _PHONE_IN_TEXT.sub(_masked_phone, text)
