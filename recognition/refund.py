"""Refunds and returns: a receipt or slip that gives money back proves no purchase.

Shops print the kind of document as a heading of its own: `ВОЗВРАТ ПРИХОДА` (the 54-FZ sign of a Russian
refund receipt), `*** REFUND ***`, `RÜCKGABE`, `STORNO`, `REMBOURSEMENT`, `DEVOLUCIÓN`, `RESO`, `DEVOLUÇÃO`,
`ZWROT`, `İADE FATURASI`. The same words also stand in sentences every honest receipt prints ("No returns
without a receipt", "Rückgabe nur mit Kassenbon", "Plazo de devolución 30 días") and on lines that void one
item of a sale (`Storno -1,99`), or refund a bottle deposit (`Pfand Rückgabe -0,25`). So a line counts only when
it is a heading: a refund word, with nothing around it but words that name a document (receipt, sale, cheque,
card payment) and document numbers, and no amount.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from recognition.text import skeleton
from recognition.types import OcrLine


def _words(text: str) -> list[str]:
    """Accents dropped (`Rückgabe` -> `RUCKGABE`, `İade` -> `IADE`), Cyrillic folded onto the Latin look-alikes
    PP-OCR reads (`ВОЗВРАТ` -> `BO3BPAT`), zeros read for O put back."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    words = skeleton(plain).split()
    return [word if word.isdigit() else word.replace("0", "O") for word in words]


def _vocabulary(*phrases: str) -> frozenset[str]:
    return frozenset(word for phrase in phrases for word in _words(phrase))


REFUND_WORDS = _vocabulary(
    "Возврат",  # ru: ВОЗВРАТ ПРИХОДА, ВОЗВРАТ ПОКУПКИ
    "Refund", "Refunded", "Return", "Returned",  # en
    "Storno", "Stornierung", "Rückgabe", "Rueckgabe",  # de (Storno also it)
    "Remboursement",  # fr
    "Devolución",  # es
    "Reso",  # it
    "Devolução",  # pt
    "Zwrot",  # pl
    "İade", "İadesi",  # tr
)  # fmt: skip

# Words that name the document or the payment around a refund heading, in the same languages.
COMPANION_WORDS = _vocabulary(
    "Кассовый чек слип прихода покупки оплаты товара признак расчета",
    # PP-OCR's Latin readings of ПРИХОДА that fold differently from the printed word.
    "IIPNXOAA NPUXOAA NPNXOA",
    "receipt sale sales transaction check customer merchant copy card purchase merchandise total document "
    "voucher credit debit",
    "Beleg Kassenbon Bon Kundenbeleg Händlerbeleg Kartenzahlung Zahlung Ware Quittung Buchung der von",
    "ticket de reçu facture carte bancaire achat",
    "venta compra factura documento tarjeta recibo comprobante",
    "documento commerciale emesso per merce scontrino di vendita pagamento",
    "nota crédito venda talão fatura recibo mercadoria cartão",
    "paragon towaru korekta faktura zakupu sprzedaży",
    "fatura faturası fiş fişi belge belgesi satış işlemi",
)

# `No 15`, `Nr. 15`, `№ 15`: a document number, only before digits (`NO RETURN` is no heading).
_NUMBER_SIGNS = frozenset({"N", "NO", "NR"})

# A price on the line (`12.50`, `-1,99`, `1.234,00 €`): an item or a total, not a heading. Dates (`21.11.26`) and
# times are not amounts.
_AMOUNT = re.compile(r"^[-−=]?[€$£]?\d{1,3}(?:[ .,']?\d{3})*[.,]\d{2}-?[€$£]?$")


def is_refund_heading(text: str) -> bool:
    """A line that names the document a refund or return (see the module's docstring)."""
    if any(_AMOUNT.match(token) for token in text.split()):
        return False
    words = _words(text.replace("№", " N "))
    if not any(word in REFUND_WORDS for word in words):
        return False
    return all(
        word in REFUND_WORDS
        or word in COMPANION_WORDS
        or word.isdigit()
        or (word in _NUMBER_SIGNS and following.isdigit())
        for word, following in zip(words, [*words[1:], ""], strict=True)
    )


def refund_mark(lines: Iterable[OcrLine | str]) -> str:
    """The first printed line that makes the document a refund or return, "" when there is none. OcrLines are
    looked at in both engines' readings (Tesseract reads the Cyrillic that PP-OCR turns into Latin look-alikes);
    a string may hold several lines."""
    for line in lines:
        texts = [line.text, line.alternative] if isinstance(line, OcrLine) else line.splitlines()
        for text in texts:
            if text and is_refund_heading(text):
                return text.strip()
    return ""
