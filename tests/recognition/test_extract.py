from datetime import date, time
from decimal import Decimal

import pytest

from recognition.fields import extract_fields
from recognition.fields.amount import card_payment_amounts, items_sum, open_tip_mark
from recognition.fields.card import masked_number_mark
from recognition.fields.kind import classify_document
from recognition.fields.rows import merge_rows
from recognition.types import OcrLine
from tests.recognition.lines import line, lines, tilted

# What PP-OCR returns for a Russian slip: Cyrillic labels come back as Latin look-alikes.
RU_SLIP_AS_READ = lines(
    "OOO POMAWKA",
    "TEPMNHAN: 10234567",
    "21.11.26 14:32",
    "OnJIATA",
    "VISA",
    "Kapta: **** **** **** 4821",
    "CyMMa (Py6): 1 234,50",
    "Koa aBTopn3aunn: 4A7B21",
    "RRN: 123456789012",
    "OAO6PEHO",
)
EN_SLIP = lines(
    "CORNER COFFEE LTD",
    "TERMINAL ID: 87654321",
    "DATE: 11/21/26 TIME: 09:05",
    "SALE",
    "MASTERCARD",
    "CARD: ************0042",
    "AMOUNT: USD 1,999.00",
    "AUTH CODE: 0A1B2C",
    "RRN: 000123456789",
    "APPROVED",
)


@pytest.mark.parametrize(
    ("slip", "expected"),
    [
        (
            RU_SLIP_AS_READ,
            {
                "amount": Decimal("1234.50"),
                "date": date(2026, 11, 21),
                "time": time(14, 32),
                "card_last4": "4821",
                "payment_system": "VISA",
                "merchant": "OOO POMAWKA",
                "rrn": "123456789012",
                "auth_code": "4A7B21",
                "terminal_id": "10234567",
            },
        ),
        (
            EN_SLIP,
            {
                "amount": Decimal("1999.00"),
                "date": date(2026, 11, 21),
                "time": time(9, 5),
                "card_last4": "0042",
                "payment_system": "MASTERCARD",
                "merchant": "CORNER COFFEE LTD",
                "rrn": "000123456789",
                "auth_code": "0A1B2C",
                "terminal_id": "87654321",
            },
        ),
    ],
)
def test_slip_fields(slip, expected):
    fields = extract_fields(slip)
    assert {name: fields[name].value for name in expected} == expected
    assert all(0 < fields[name].confidence <= 1 for name in expected)


def test_amount_printed_apart_from_its_label_on_the_same_row():
    read = [line("ИТОГ", 0, x=10, width=60), line("=2 480,00", 0, x=300, width=110), line("СПАСИБО", 1)]
    assert extract_fields(read)["amount"].value == Decimal("2480.00")


@pytest.mark.parametrize("degrees", [-5, -2, 0, 2, 5])
def test_rows_are_found_along_the_text_on_a_tilted_photo(degrees):
    # The value at the right end of a row sits a line higher or lower than its label at 5 degrees.
    read = [
        tilted(text, row, x=x, width=width, degrees=degrees)
        for text, row, x, width in [
            ("ОПЛАТА", 0, 10, 90), ("Сумма (Руб):", 1, 10, 150), ("95,04", 1, 330, 70),
            ("Комиссия:", 2, 10, 120), ("0,00", 2, 340, 60), ("ОДОБРЕНО", 3, 10, 110),
        ]
    ]  # fmt: skip
    assert extract_fields(read)["amount"].value == Decimal("95.04")


def _at(text: str, top: float, left: float, right: float, height: float = 30) -> OcrLine:
    return OcrLine(text, 0.95, ((left, top), (right, top), (right, top + height), (left, top + height)))


def test_a_curled_page_pairs_each_value_with_its_own_label():
    # Seen on phone photos of curled receipts: the column of values sits more than half a line lower than its
    # labels, closer to the label below than to its own. The column's last value, with no label under it,
    # shows which way the rows run; no row takes two labels of one column.
    labels = ["1 Garlic Salmon", "Subtotal", "Tax", "Total Due"]
    values = ["14.00", "133.90", "10.38", "144.28"]
    read = [_at(text, 100 + 32 * row, 40, 200) for row, text in enumerate(labels)]
    read += [_at(text, 100 + 32 * row + 17, 380, 460) for row, text in enumerate(values)]
    rows = [row.text for row in merge_rows(read)]
    assert rows == [f"{label} {value}" for label, value in zip(labels, values, strict=True)]
    assert extract_fields(read)["amount"].value == Decimal("144.28")


def test_a_column_of_labels_is_never_one_row():
    # Values between two rows' heights used to chain the rows of a column into one: `Total Due Subtotal Tax ...`.
    read = [_at("Subtotal", 0, 40, 150), _at("Tax", 26, 40, 90), _at("Total Due", 52, 40, 160)]
    read += [_at("133.90", 13, 380, 460), _at("10.38", 39, 380, 460), _at("144.28", 65, 380, 460)]
    assert all(
        sum(label in row.text for label in ("Subtotal", "Tax", "Total")) == 1 for row in merge_rows(read)
    )


def test_a_quantity_on_an_item_line_with_a_currency_sign_is_not_money():
    read = lines("1 White Rice (S) $1.50", "1 Pork w. Spicy Tofu $12.95", "SubTotal $14.45", "Total $15.60")
    fields = extract_fields(read)
    assert fields["amount"].value == Decimal("15.60")
    assert Decimal("1.00") not in [c.value for c in fields["amount"].candidates]


def test_a_total_label_glued_to_the_time_before_it():
    read = lines("Sub Total: 50.50", "Tax: 5.45", "03/12 12:31pTOTAL: 55.95", "Thank you")
    assert extract_fields(read)["amount"].value == Decimal("55.95")


def test_cup_on_an_item_line_is_no_card_payment():
    read = lines(
        "Cup Italian Wedding Soup $2.95", "Spaghetti $17.95", "Subtotal $20.90", "Tax $1.57", "Total $22.47"
    )
    amount = extract_fields(read)["amount"]
    assert amount.value == Decimal("22.47")
    assert not any("card_payment_amount" in c.rules for c in amount.candidates)


def test_a_currency_word_glued_to_the_amount():
    assert extract_fields(lines("TO: 6053,00py6"))["amount"].value == Decimal("6053.00")


def test_a_currency_code_glued_to_the_word_before_it():
    read = lines(
        "Total Sales (Inclusive GST) RM 13.58",
        "Rounding Adjustment RM 0.02",
        "RoundingRM 13.60",
        "CASH RM 20.00",
        "CHANGE RM 6.40",
    )
    assert extract_fields(read)["amount"].value == Decimal("13.60")


def test_a_total_misread_as_a_time_takes_the_amount_below():
    # `RM5:00` is no money (a time, if anything): the value printed under the label is the one to read.
    assert extract_fields(lines("TOTAL RM5:00", "RM5.00"))["amount"].value == Decimal("5.00")


def test_a_line_with_a_misread_value_does_not_take_the_next_lines_number():
    # `0 руб.` is a value (none is valid money here); the auth code under it is not the amount.
    assert extract_fields(lines("0 руб.", "32897"))["amount"].value is None


def test_amount_on_the_line_after_its_label():
    assert extract_fields(lines("СУММА:", "777,70 RUB"))["amount"].value == Decimal("777.70")


def test_subtotal_is_not_a_total_and_the_grand_total_wins():
    read = lines("SUBTOTAL 90.00", "GST 5.40", "TOTAL 95.40", "CASH 100.00", "CHANGE 4.60")
    assert extract_fields(read)["amount"].value == Decimal("95.40")


def test_date_and_time_are_not_amounts():
    read = lines("SALE", "21.11.26 14:32")
    assert extract_fields(read)["amount"].value is None


def test_ids_are_not_amounts():
    read = lines("RRN: 123456789012", "TOTAL 123456789012")
    assert extract_fields(read)["amount"].value is None


def test_invalid_money_syntax_is_not_read_as_amount():
    assert extract_fields(lines("TOTAL 1.23.45"))["amount"].value is None


def test_amount_next_to_a_currency_mark_is_a_weaker_candidate_than_a_labelled_one():
    fields = extract_fields(lines("1 000,00 RUB", "Сумма: 980,00"))
    assert fields["amount"].value == Decimal("980.00")
    assert [c.value for c in fields["amount"].candidates] == [Decimal("980.00"), Decimal("1000.00")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**** **** **** 4821", "4821"),
        ("Карта ** 4821", "4821"),
        ("XXXXXXXXXXXX4821", "4821"),
        ("427600******4821", "4821"),
        ("CARD: #### 0042", "0042"),
        ("4821", None),  # four bare digits are not a card tail
        ("21.11.26 14:32", None),
        ("Karte ...4821", "4821"),
        ("VISA #4821", "4821"),
        ("Card ending in 4821", "4821"),
        ("Invoice #4821", None),  # `#` and dots mean a card only behind a card label or a scheme name
        ("TID: ****6633", None),  # a masked terminal id is not the card
        ("MID ****0042", None),
    ],
)
def test_card_last4(text, expected):
    assert extract_fields(lines(text))["card_last4"].value == expected


def test_a_masked_terminal_id_is_not_taken_for_the_card_printed_below_it():
    """Seen on UK receipts: `TID: ****6633` was read as the card with confidence 0.8-0.98."""
    fields = extract_fields(lines("Merchant: 1234567", "TID: ****6633", "VISA CREDIT", "************1956"))
    assert fields["card_last4"].value == "1956"
    assert [c.value for c in fields["card_last4"].candidates] == ["1956"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("VISA", "VISA"),
        ("Visa Electron", "VISA"),
        ("MasterCard", "MASTERCARD"),
        ("Maestro", "MAESTRO"),
        ("AMERICAN EXPRESS", "AMEX"),
        ("UnionPay", "UNIONPAY"),
        ("ADVISABLE", None),  # whole words only
    ],
)
def test_payment_system(text, expected):
    assert extract_fields(lines(text))["payment_system"].value == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("МИР", "MIR"), ("MIR", "MIR"), ("JCB", "JCB"), ("MC", "MASTERCARD"), ("CUP", "UNIONPAY")],
)
def test_a_short_scheme_name_is_read_near_the_card(text, expected):
    assert extract_fields(lines("Карта: **** 2044", text))["payment_system"].value == expected
    assert extract_fields(lines(text, "ОДОБРЕНО", "Сумма 100,00"))["payment_system"].value == expected


@pytest.mark.parametrize(
    "text",
    [
        "1 Pimm's Cup 14.00",  # UnionPay's `CUP`
        "MC CHICKEN 4.50",
        "Gracias por su Visita",  # fuzzily VISA
        "Customer Name: LEANNE",  # fuzzily AMEX
        "QTY NAME U/P PRICE",
        "ETender Credit $21.73",  # `VISA CREDIT` fuzzily
    ],
)
def test_words_of_a_receipt_far_from_any_card_are_no_payment_system(text):
    receipt = lines("PIZZA PLACE", "Tel (909) 596-1564", text, "Subtotal 20.00", "Tax 1.73", "Total 21.73")
    assert extract_fields(receipt)["payment_system"].value is None


def test_a_damaged_scheme_name_is_spotted_on_the_card_line():
    fields = extract_fields(lines("Карта: **** 2044", "VISH", "Сумма 100,00"))
    assert fields["payment_system"].value == "VISA"
    assert "payment_system_fuzzy" in fields["payment_system"].rules


def test_merchant_skips_payment_system_and_labels():
    fields = extract_fields(lines("VISA", "TOTAL 10.00", "ШАУРМА НА УГЛУ"))
    assert fields["merchant"].value == "ШАУРМА НА УГЛУ"


def test_classify_slip_receipt_and_other():
    fields = extract_fields(RU_SLIP_AS_READ)
    assert classify_document(RU_SLIP_AS_READ, fields)[0] == "slip"

    items = [f"ТОВАР {n} 1 x 10,00 10,00" for n in range(40)]
    receipt = lines("МАГАЗИН", *items, "ИТОГ =400,00", "21.11.26 14:32")
    assert classify_document(receipt, extract_fields(receipt))[0] == "receipt"

    assert classify_document([], extract_fields([]))[0] == "other"
    noise = [line("~", 0, confidence=0.4), line("ll", 1, confidence=0.5)]
    assert classify_document(noise, extract_fields(noise))[0] == "other"


@pytest.mark.parametrize(
    ("receipt", "total"),
    [
        # the total after tax, not the subtotal before it nor the tax
        (
            ("(Excluded GST) Sub Total (RM) : 313.50", "Total GST (RM) : 18.81", "Total (RM) : 332.30"),
            "332.30",
        ),
        (
            (
                "Total Sales (Excluding GST) : 95.17",
                "Total GST 5.71",
                "Total Sales (Inclusive of GST) : 100.90",
            ),
            "100.90",
        ),
        # the tax summary table at the bottom is not the total
        (("TOTAL 57.80", "GST Summary Amount(RM) Tax(RM)", "Total: 54.53 3.27"), "57.80"),
        # cash handed over and change are not the total; cash minus change confirms it
        (("TOTAL 24.00", "Paid Amount 50.00", "CHANGE 26.00"), "24.00"),
        (("Total Savings -1.10", "Total 9.90"), "9.90"),
        # a unit price after @ is not an amount
        (("Net Amt : 53.55", "(S) @15.90"), "53.55"),
    ],
)
def test_receipt_total_among_other_totals(receipt, total):
    assert extract_fields(lines(*receipt))["amount"].value == Decimal(total)


def test_cash_minus_change_confirms_the_total():
    amount = extract_fields(lines("TOTAL 15.90", "SUBTOTAL 15.00", "CASH 50.00", "CHANGE 34.10"))["amount"]
    assert amount.value == Decimal("15.90")
    assert "total_is_cash_minus_change" in amount.rules


def test_the_acquiring_bank_is_not_the_merchant():
    assert extract_fields(lines("ПАО СБЕРБАНК", "ООО РОМАШКА", "ОПЛАТА"))["merchant"].value == "ООО РОМАШКА"
    assert extract_fields(lines("CEPBAHK", "AUCHAN"))["merchant"].value == "AUCHAN"


def test_the_cash_rounded_total_is_the_one_paid():
    amount = extract_fields(lines("Total Sales (Inclusive GST) RM 45.34", "Rounding 0.01", "Total RM 45.35"))[
        "amount"
    ]
    assert amount.value == Decimal("45.35")
    assert "total_cash_rounded" in amount.rules or amount.candidates[0].value == Decimal("45.35")
    exact = extract_fields(lines("TOTAL 45.30", "CASH 45.31"))["amount"]
    assert exact.value == Decimal("45.30")  # a total already in 5 cents needs no rounding: nothing to prefer
    assert "total_cash_rounded" not in exact.rules


@pytest.mark.parametrize(
    ("receipt", "total"),
    [
        # the total in the languages receipts are printed in, with a subtotal, tax and change around it
        (
            ["Zwischensumme 10,00", "MwSt 19% 1,90", "Summe EUR 11,90", "Gegeben 20,00", "Rückgeld 8,10"],
            "11.90",
        ),
        (["Sous-total 10,00", "TVA 20% 2,00", "Total TTC 12,00", "Espèces 20,00", "Rendu 8,00"], "12.00"),
        (["Subtotal 10,00", "IVA 21% 2,10", "Importe 12,10", "Efectivo 20,00", "Cambio 7,90"], "12.10"),
        (["Subtotale 10,00", "Totale complessivo 12,20", "Contanti 20,00", "Resto 7,80"], "12.20"),
        (["Valor total 15,50", "Dinheiro 20,00", "Troco 4,50"], "15.50"),
        (
            [
                "Sprzedaż opodatkowana 10,00",
                "PTU A 23% 2,30",
                "Suma PLN 12,30",
                "Gotówka 20,00",
                "Reszta 7,70",
            ],
            "12.30",
        ),
        (["Ara toplam 10,00", "KDV 1,00", "Toplam 11,00", "Nakit 20,00", "Para üstü 9,00"], "11.00"),
        (
            ["Подытог 1 000,00", "Скидка 100,00", "Итого 900,00", "Наличными 1 000,00", "Сдача 100,00"],
            "900.00",
        ),
        (["Subtotal 18.50", "Tax 1.48", "Amount Due 19.98", "Tip ______", "Total ______"], "19.98"),
        (["Subtotal 43.60", "Suggested 18% tip 7.85 Total 51.45", "Balance Due 43.60"], "43.60"),
    ],
)
def test_the_total_in_the_languages_receipts_are_printed_in(receipt, total):
    assert extract_fields(lines(*receipt))["amount"].value == Decimal(total)


def test_a_tax_line_that_says_incl_is_not_the_total():
    receipt = lines(
        "Burger $13.00", "Fries $8.00", "Subtotal $21.00", "Sales Tax (Incl. 9.5%) $2.00", "Total $23.00"
    )
    assert extract_fields(receipt)["amount"].value == Decimal("23.00")


def test_a_percentage_is_not_money():
    assert extract_fields(lines("Inclusive 6% GST", "Total 4.00"))["amount"].value == Decimal("4.00")


def test_the_subtotal_plus_its_parts_confirms_the_total_whatever_its_label():
    """Items priced in dollars outnumber the total's line: the document's arithmetic picks the total."""
    receipt = lines(
        "1 Pork w. Spicy Tofu $12.95", "2 Beef Fillet $18.95", "Peking Duck $15.95", "SubTotal $47.85",
        "Sales Tax $3.35", "Gratuity 18% $8.61", "DRIVE THRU $59.81",
    )  # fmt: skip
    amount = extract_fields(receipt)["amount"]
    assert amount.value == Decimal("59.81")
    assert "total_is_sum_of_parts" in amount.rules


@pytest.mark.parametrize(
    ("receipt", "total"),
    [
        # the amount charged to the card is the total paid, when the total line is misread (`RMI11.90`)
        (["AMT PAID incL GST: RMI11.90", "GST AMT:RM5.33", "PAID BY: CC*7185:RM111.90"], "111.90"),
        (["Summe EUR 11,90", "Kartenzahlung", "VISA ************1956 EUR 11,90"], "11.90"),
    ],
)
def test_the_card_payment_line_gives_the_total(receipt, total):
    assert extract_fields(lines(*receipt))["amount"].value == Decimal(total)


@pytest.mark.parametrize(
    "text", ["30.04.2026 11:39:59", "VISA ************1956", "Карта: **** 4821", "Terminal 12345678"]
)
def test_a_date_or_a_card_tail_is_no_card_payment_amount(text):
    assert card_payment_amounts(text) == []


def test_a_turkish_star_before_an_amount_is_no_card_mask():
    assert card_payment_amounts("KREDİ KARTI *2195,33") == [Decimal("2195.33")]
    assert card_payment_amounts("KART PAKODA 4.50 4.50") == []  # a dish, not a card payment


@pytest.mark.parametrize(
    "receipt",
    [
        ["TOPLAM *108,80", "KDV %1 *0,90", "KDV %10 *1,66", "TOPLAM KDV *2,56"],
        ["Zwischensumme 108,80", "Summe 108,80", "Summe MwSt 2,56"],
        ["PTU A 23% 1,10", "SUMA PTU 2,56", "Razem 108,80 zł"],
        ["Subtotal 106.24", "Total GST 2.56", "Total 108.80"],
    ],
)
def test_the_total_of_the_tax_is_not_the_total(receipt):
    # Read at 0.99 on generated receipts before: an honest participant would have been refused.
    assert extract_fields(lines(*receipt))["amount"].value == Decimal("108.80")


def test_a_total_naming_the_tax_it_includes_is_the_total():
    read = lines("Sub Total 100.00", "GST 6% 6.00", "Total Sales (Inclusive GST) 106.00", "Cash 110.00")
    assert extract_fields(read)["amount"].value == Decimal("106.00")


def test_a_stray_digit_after_the_total_is_not_the_amount():
    assert extract_fields(lines("TOPLAM *2195,33 3 TL", "TESEKKUR EDERIZ"))["amount"].value == Decimal(
        "2195.33"
    )


def test_cash_handed_over_is_not_the_total_rounded():
    read = lines(
        "SUBTOTAL 24,98", "TOTAL DOCUMENTO 24,98 €", "Total IVA 2,26", "NUMERÁRIO 25,00 €", "TROCO 0,02"
    )
    assert extract_fields(read)["amount"].value == Decimal("24.98")


@pytest.mark.parametrize(
    "loyalty",
    [
        "Clubcard *********0938",
        "Payback-Karte ****0938",
        "CARTE CLUB ****0938",
        "Karta lojalnościowa XXXXXXXXX0938",
    ],
)
def test_a_loyalty_card_is_not_the_card_paid_with(loyalty):
    read = lines("TOTAL £12.34", "VISA DEBIT", "Card ending 0935", loyalty, "THANK YOU")
    fields = extract_fields(read)
    assert fields["card_last4"].value == "0935"
    assert "0938" not in [c.value for c in fields["card_last4"].candidates]


def test_a_masked_number_with_no_payment_near_is_a_weaker_card():
    alone = extract_fields(lines("MARKET", "Milk 1,20", "Carta Insieme ****4736", "TOTALE 1,20"))[
        "card_last4"
    ]
    paid = extract_fields(lines("MARKET", "TOTALE 1,20", "PAGAMENTO ELETTRONICO", "Carta ****4736"))[
        "card_last4"
    ]
    assert alone.value == paid.value == "4736"
    assert alone.confidence < paid.confidence * 0.75


def test_a_scheme_on_the_line_beats_a_card_noun():
    read = lines("CARTA DI CREDITO 11,03", "MAESTRO **** 5533", "Carta Insieme *********4736")
    assert extract_fields(read)["card_last4"].value == "5533"


def test_the_items_add_up_to_the_total_where_no_subtotal_is_printed():
    read = lines(
        "MARKT", "Milch 1,19 A", "Brot 2,49 A", "2 x 0,99", "Butter 1,98 A", "SUMME EUR 5,66", "Bar 10,00"
    )
    amount = extract_fields(read)["amount"]
    assert amount.value == Decimal("5.66") and "total_is_sum_of_items" in amount.rules


def test_items_adding_up_to_a_printed_subtotal_prove_the_subtotal_plus_tax_not_the_subtotal():
    # Seen on a real check: the TOTAL line's value was not read; the subtotal the items add up to is no total.
    read = lines("CATFISH 22.00", "TOSTADA 18.00", "SOUFFLE 10.50", "Sub Total: 50.50", "Tax: 5.45", "TOTAL:")
    amount = extract_fields(read)["amount"]
    assert "total_is_sum_of_items" not in amount.rules
    assert amount.confidence < 0.5
    with_total = extract_fields(read[:-1] + lines("x", "x", "x", "x", "x", "TOTAL: 55.95")[-1:])["amount"]
    assert with_total.value == Decimal("55.95") and "total_is_sum_of_parts" in with_total.rules


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (["Burger $13.00", "Fries $8.00", "2 x 1.50 3.00", "Subtotal $24.00"], "24.00"),
        (["BEYAZ PEYNİR %1 *294,18", "2 AD X 147,09", "DİŞ MACUNU %20 *273,19", "TOPLAM *567,37"], "567.37"),
        (["Milk 1,20 A", "2 @ 1,15", "Bread 2,30 B", "SUMME 3,50"], "3.50"),
        (["Only one item 4.50", "TOTAL 4.50"], None),  # one price proves nothing
    ],
)
def test_items_sum(rows, expected):
    assert items_sum(lines(*rows)) == (Decimal(expected) if expected else None)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["Karta platnicza", "Karta **** **** 01a", "SUMA 12,00"], "Karta **** **** 01a"),
        (["VISA XXXXXXXXXXXX19S6"], "VISA XXXXXXXXXXXX19S6"),
        # a loyalty card, a terminal, a merchant
        (["Clubcard *********0938", "TID: ****6633", "MID ****0042"], ""),
        (["TOPLAM *108,80", "XXL T-SHIRT 9.99", "Bar 20,00"], ""),
    ],
)
def test_masked_number_mark(texts, expected):
    assert masked_number_mark(texts) == expected


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["Subtotal 118.46", "TIP ________", "TOTAL ________"], "TIP ________"),
        (["Amount 79.17", "Tip:", "Total:"], "Tip:"),
        (["Additional Tip", "Total Charge"], "Additional Tip"),
        (["Gratuity 18% 7.20", "Total 46.40"], ""),  # a printed gratuity, in the total already
        (["Suggested Tip: 18% 7.85", "Total 51.45"], ""),  # a tip guide
        (["Tips are appreciated!"], ""),
    ],
)
def test_open_tip_mark(texts, expected):
    assert open_tip_mark(texts) == expected


def test_items_that_a_printed_tax_is_added_to_are_the_subtotal_not_the_total():
    # The subtotal's label may be one the lexicon lacks: the items plus the tax read as another amount shows it.
    read = lines("Burger 9.90", "Fries 4.95", "Tax 1.71", "Total 16.56", "Amount 14.85")
    amount = extract_fields(read)["amount"]
    assert amount.value == Decimal("16.56") and "total_is_sum_of_parts" in amount.rules
    assert not any("total_is_sum_of_items" in c.rules for c in amount.candidates)


def test_an_amount_that_lost_its_decimal_mark_is_no_sure_total():
    # Seen on a scanned receipt: `88.17` read `8817` on two total lines, at 0.9955.
    read = lines("ITEM A 30.00", "ITEM B 10.00", "ITEM C 48.17", "TOTAL 8817", "CASH 100.00", "CHANGE 11.83")
    amount = extract_fields(read)["amount"]
    with_mark = extract_fields(lines(*(line.text.replace("8817", "8817.00") for line in read)))["amount"]
    assert amount.confidence < 0.65 * with_mark.confidence


def test_two_different_card_numbers_leave_the_card_unsure():
    # A store's card whose name the loyalty words lack, printed beside the card paid with, read at 0.999 before.
    read = lines(
        "Karta **** **** **** 1995", "PLATNOSC KARTA", "Karta Moja Biedronka ****9323", "SUMA PLN 28,80"
    )
    card = extract_fields(read)["card_last4"]
    assert card.value in ("1995", "9323") and card.confidence < 0.6
    twice = extract_fields(lines("VISA ****0935", "PAYMENT", "Card ending 0935"))["card_last4"]
    assert twice.value == "0935" and twice.confidence > 0.9


def test_a_rule_of_stars_is_no_masked_number():
    assert masked_number_mark(["********************", "THANK YOU", "**** COPY ****"]) == ""
    assert masked_number_mark(["**** **** **** 1?3?"]) == "**** **** **** 1?3?"
