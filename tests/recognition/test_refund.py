import pytest

from recognition.refund import is_refund_heading, refund_mark
from recognition.types import OcrLine

BOX = ((0, 0), (100, 0), (100, 20), (0, 20))


@pytest.mark.parametrize(
    "text",
    [
        # ru: the 54-FZ sign of a refund receipt, as printed and as PP-OCR reads Cyrillic (Latin look-alikes, 0 for O)
        "ВОЗВРАТ ПРИХОДА",
        "Кассовый чек. Возврат прихода",
        "ЧЕК № 15 ВОЗВРАТ ПРИХОДА",
        "BO3BPAT nPNXOAA",
        "B03BPAT",
        "ВОЗВРАТ ПОКУПКИ",
        "ВОЗВРАТ 21.11.26 14:32",  # a slip's operation line with its date and time
        # en
        "*** REFUND ***",
        "Refund receipt",
        "Refund No. 15",
        "SALE RETURN",
        "RETURN",
        # de
        "RÜCKGABE",
        "Rueckgabe Kundenbeleg",
        "STORNO",
        "Storno Kartenzahlung",
        # fr, es, it, pt, pl, tr
        "REMBOURSEMENT",
        "Ticket de remboursement",
        "Devolución de venta",
        "DEVOLUCION",
        "RESO",
        "Documento commerciale emesso per reso merce",
        "DEVOLUÇÃO",
        "Nota de crédito devolução",
        "Zwrot towaru",
        "ZWROT",
        "İADE FATURASI",
        "iade",
    ],
)
def test_a_refund_heading_is_a_refund(text):
    assert is_refund_heading(text)


@pytest.mark.parametrize(
    "text",
    [
        # Return policies every honest receipt prints.
        "No returns without a receipt",
        "NO RETURN",
        "RETURNS & EXCHANGES WITHIN 30 DAYS",
        "Rückgabe nur mit Kassenbon",
        "Plazo de devolución 30 días",
        "Возврат товара возможен в течение 14 дней",
        "Il reso è possibile entro 30 giorni",
        "Zwrot towaru w ciągu 14 dni",
        "Değişim ve iade 14 gün",
        # One voided item or a bottle deposit inside a sale: an amount on the line.
        "Storno -1,99",
        "Pfand Rückgabe -0,25",
        "REFUND 12.50",
        # Nothing to do with refunds.
        "КАССОВЫЙ ЧЕК",
        "ПРИХОД",
        "VISA CREDIT",
        "TOTAL 12.50",
        "",
    ],
)
def test_a_policy_line_an_item_void_or_a_sale_is_not_a_refund(text):
    assert not is_refund_heading(text)


def test_refund_mark_names_the_first_heading_in_either_engines_reading():
    sale = [OcrLine("OOO POMAWKA", 0.9, BOX), OcrLine("KACCOBBIN 4EK", 0.9, BOX, "КАССОВЫЙ ЧЕК", 0.9)]
    assert refund_mark(sale) == ""
    # PP-OCR garbled the heading; Tesseract's reading of the same box says what it is.
    refund = [*sale, OcrLine("BO3BPAI IIPNXOДA", 0.5, BOX, "ВОЗВРАТ ПРИХОДА", 0.8)]
    assert refund_mark(refund) == "ВОЗВРАТ ПРИХОДА"


def test_refund_mark_reads_text_line_by_line():
    assert refund_mark(["ООО Ромашка\nКАССОВЫЙ ЧЕК\n  ВОЗВРАТ ПРИХОДА \nИТОГ =100,00"]) == "ВОЗВРАТ ПРИХОДА"
    assert refund_mark(["ООО Ромашка\nКАССОВЫЙ ЧЕК\nПРИХОД\nИТОГ =100,00"]) == ""
