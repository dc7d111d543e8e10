"""The documents a campaign accepts as proof of purchase, and what the participant is told to photograph.

- `slip`: the card terminal's slip (the default: what every campaign took before documents were configurable);
- `card_receipt`: a shop receipt that prints the card payment (card last 4, scheme, terminal ids), as German and
  UK shops do: it proves the same payment a slip does;
- `receipt`: any shop receipt, cash or card.

The decision's rules on them are in promo.checks (`counts_as`); this module holds only names and words.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SLIP, CARD_RECEIPT, RECEIPT = "slip", "card_receipt", "receipt"
DOCUMENTS = (SLIP, CARD_RECEIPT, RECEIPT)  # the canonical order: stored lists are kept in it
DEFAULT_DOCUMENTS = (SLIP,)

DOCUMENT_CHOICES = [
    (SLIP, _("card payment slip")),
    (CARD_RECEIPT, _("shop receipt showing the card payment")),
    (RECEIPT, _("any shop receipt")),
]


def default_documents() -> list[str]:
    """The model field's default: a callable, so that no two campaigns share one list."""
    return list(DEFAULT_DOCUMENTS)


def normalize_documents(documents: Iterable[str]) -> list[str]:
    """Known names only, each once, in the canonical order; an empty or unknown set means the default (a slip):
    a stored reason written before documents existed still renders sensibly."""
    wanted = set(documents)
    return [name for name in DOCUMENTS if name in wanted] or default_documents()


def parse_documents(text: str) -> list[str]:
    """`slip,card_receipt` -> names; ValueError naming what is unknown, or when nothing is named."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = sorted(set(names) - set(DOCUMENTS))
    if unknown:
        raise ValueError(f"unknown documents: {', '.join(unknown)} (known: {', '.join(DOCUMENTS)})")
    if not names:
        raise ValueError(f"name at least one document (known: {', '.join(DOCUMENTS)})")
    return normalize_documents(names)


def asks_for_card(documents: Iterable[str]) -> bool:
    """Whether every document the campaign accepts carries the card payment (then the card is always checked)."""
    return RECEIPT not in set(documents)


_PHOTOGRAPH: dict[str, Promise] = {
    "slip": _("Photograph the card payment slip."),
    "card_receipt": _(
        "Photograph the shop receipt showing the card payment (the card's last 4 digits and payment system)."
    ),
    "slip_or_card_receipt": _(
        "Photograph the card payment slip, or the shop receipt if it shows the card payment (the card's last "
        "4 digits and payment system)."
    ),
    "receipt": _("Photograph the shop receipt."),
    "receipt_or_slip": _("Photograph the shop receipt or the card payment slip."),
}

_PHOTO_LABEL: dict[str, Promise] = {
    "slip": _("Photo of the card slip"),
    "receipt": _("Photo of the receipt"),
    "either": _("Photo of the slip or receipt"),
}


def photograph_instruction(documents: Iterable[str]) -> Promise:
    """One sentence, in the reader's language when rendered: which document to photograph for these accepted
    documents. A campaign taking any receipt names the receipt; one taking receipts that show the card says so,
    since a receipt without the card payment on it would be refused."""
    accepted = set(normalize_documents(documents))
    if RECEIPT in accepted:
        return _PHOTOGRAPH["receipt_or_slip" if SLIP in accepted else "receipt"]
    if CARD_RECEIPT in accepted:
        return _PHOTOGRAPH["slip_or_card_receipt" if SLIP in accepted else "card_receipt"]
    return _PHOTOGRAPH["slip"]


def photo_label(documents: Iterable[str]) -> Promise:
    """The upload form's label for the photo."""
    accepted = set(normalize_documents(documents))
    if accepted == {SLIP}:
        return _PHOTO_LABEL["slip"]
    if SLIP not in accepted:
        return _PHOTO_LABEL["receipt"]
    return _PHOTO_LABEL["either"]
