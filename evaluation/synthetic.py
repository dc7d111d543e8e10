"""Synthetic card slips, shop receipts and non-documents with exact ground truth, for evaluating the reader.

Hand-labelled photos are slow to collect and their labels are sometimes wrong; documents we render
ourselves (as MICR cheque datasets are rendered) come in any number, with labels that are right to the
character. Everything here is a pure function of its inputs and an explicit ``random.Random``: the same
seed gives the same labels and the same image bytes, so an evaluation run can be repeated exactly.

The pipeline is: ``random_truth`` (what the document says) -> ``document_lines`` (how it is printed)
-> ``render_document`` (clean paper) -> ``photograph`` (a phone photo of it), and ``generate`` /
``write_eval_set`` chain them into a labelled folder (``labels.jsonl`` in the eval format).

Russian receipts carry the fiscal QR (54-FZ) under their text, its payload consistent with the print (``t`` the
printed date and time, ``s`` the total, ``fn``/``i``/``fp`` the printed ФН/ФД/ФП); about one in six is damaged
(covered by a thumb, smudged, or cut off with the paper), and a few are refunds (``n=2``, printed ВОЗВРАТ
ПРИХОДА). Beyond the eval format, each label line has a ``fiscal`` key: ``null`` where no QR is printed, else
``{"fn": "16 digits", "i": "…", "fp": "…", "n": 1, "damage": null | "covered" | "smudged" | "cut"}``. A
damaged QR may still decode (its error correction) but must never decode to anything else.
"""

import io
import json
import math
import random
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = [
    "EUROPEAN_LOCALES",
    "FISCAL_DAMAGES",
    "KINDS",
    "LOCALES",
    "PAYMENT_SYSTEMS",
    "DocumentTruth",
    "FiscalTruth",
    "PrintedLine",
    "ReceiptItem",
    "VatRow",
    "document_lines",
    "european_money",
    "fiscal_payload",
    "generate",
    "photograph",
    "random_truth",
    "receipt_items",
    "render_document",
    "vat_breakdown",
    "write_eval_set",
]

PAYMENT_SYSTEMS = ("VISA", "MASTERCARD", "MIR", "MAESTRO", "AMEX", "UNIONPAY", "JCB")
KINDS = ("slip", "receipt", "other")
LOCALES = ("ru", "en", "de", "fr", "es", "it", "pt", "pl", "tr", "gb")
EUROPEAN_LOCALES = LOCALES[2:]  # drawn only when asked for (generate's ``locales``): see _DEFAULT_LOCALES
# The draw when no locale mix is given, kept as it was before the European locales so that every published
# seed (79, 9, ...) regenerates byte for byte.
_DEFAULT_LOCALES = ("ru", "en")
FISCAL_DAMAGES = ("covered", "smudged", "cut")
MAX_SIDE = 1600  # long side of a photograph, like a downscaled phone upload

_CENT = Decimal("0.01")
_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_MONO_ADVANCE = 0.602  # DejaVu Sans Mono advance width per em, regular and bold alike


# --------------------------------------------------------------------------------------------- truth


@dataclass(frozen=True)
class FiscalTruth:
    """The ids of a Russian receipt's fiscal QR, and how its print was spoiled (``None``: intact)."""

    fn: str  # fiscal drive, 16 digits
    i: str  # fiscal document number
    fp: str  # fiscal sign, up to 10 digits
    operation: int = 1  # 1 sale, 2 refund of a sale
    seconds: int | None = None  # the register's clock has seconds: in the QR's ``t`` and on the print
    damage: str | None = None

    def __post_init__(self) -> None:
        if self.damage is not None and self.damage not in FISCAL_DAMAGES:
            raise ValueError(f"damage must be one of {FISCAL_DAMAGES} or None, not {self.damage!r}")

    def to_label(self) -> dict:
        return {"fn": self.fn, "i": self.i, "fp": self.fp, "n": self.operation, "damage": self.damage}


@dataclass(frozen=True)
class DocumentTruth:
    """What a document says, exactly as the reader should report it (``None`` = not printed)."""

    kind: str  # "slip" | "receipt" | "other"
    locale: str | None  # one of LOCALES, None for "other"
    amount: Decimal | None  # total paid, 2 decimals
    date: date | None
    time: time | None  # minutes precision (seconds 0)
    card_last4: str | None
    payment_system: str | None
    merchant: str | None
    rrn: str | None  # 12 digits
    auth_code: str | None  # 6 chars, digits/upper letters
    terminal_id: str | None  # 8 digits
    fiscal: FiscalTruth | None = None  # Russian receipts: the fiscal QR printed under the text

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if self.locale is not None and self.locale not in LOCALES:
            raise ValueError(f"locale must be one of {LOCALES} or None, not {self.locale!r}")
        if self.payment_system is not None and self.payment_system not in PAYMENT_SYSTEMS:
            raise ValueError(f"unknown payment system {self.payment_system!r}")
        if self.fiscal is not None and (self.kind, self.locale) != ("receipt", "ru"):
            raise ValueError("only a Russian receipt carries a fiscal QR")

    def to_label(self, image: str) -> dict:
        """One line of ``labels.jsonl``: JSON-ready values, ``None`` for what the document does not say."""
        return {
            "image": image,
            "kind": self.kind,
            "locale": self.locale,
            "amount": float(self.amount) if self.amount is not None else None,
            "date": self.date.isoformat() if self.date is not None else None,
            "time": self.time.strftime("%H:%M") if self.time is not None else None,
            "card_last4": self.card_last4,
            "payment_system": self.payment_system,
            "merchant": self.merchant,
            "rrn": self.rrn,
            "auth_code": self.auth_code,
            "terminal_id": self.terminal_id,
            "fiscal": self.fiscal.to_label() if self.fiscal is not None else None,
        }


_RU_MERCHANTS = (
    "ООО РОМАШКА",
    "МАГАЗИН ПЯТЁРОЧКА {n}",
    "OOO LENTA",
    "ПЕРЕКРЕСТОК {n}",
    "ИП ИВАНОВ А.А.",
    "АЗС ЛУКОЙЛ {n}",
    "АПТЕКА ГОРЗДРАВ",
    "ООО АГРОТОРГ",
    "ВКУСВИЛЛ",
    "МАГНИТ {n}",
    "ЛЕРУА МЕРЛЕН",
    "DNS RETAIL",
    "KOFEMANIYA",
    "ШОКОЛАДНИЦА",
    'ООО "ВЕКТОР"',
    "DIXY-{n}",
    "AUCHAN",
    "SPORTMASTER",
    "ЗОЛОТОЕ ЯБЛОКО",
    "КОФЕЙНЯ ЗЕРНО",
)
_EN_MERCHANTS = (
    "CORNER MARKET",
    "BLUE BOTTLE CAFE #{n}",
    "SHELL {n}",
    "WHOLE FOODS MKT",
    "TESCO EXPRESS",
    "STARBUCKS #{n}",
    "BEST BUY {n}",
    "JOE'S DINER",
    "CITY PHARMACY",
    "PRET A MANGER",
    "H&M {n}",
    "HOME DEPOT #{n}",
    "GREEN LEAF GROCERY",
    "THE BOOK NOOK",
)
_RU_BANKS = ("ПАО СБЕРБАНК", "СБЕРБАНК", "ВТБ", "Т-БАНК", "АЛЬФА-БАНК", "ГАЗПРОМБАНК", "РАЙФФАЙЗЕНБАНК")
_RU_STREETS = (
    "г. Москва, ул. Ленина, д. {n}",
    "г. Москва, Тверская ул., {n}",
    "г. Санкт-Петербург, Невский пр., {n}",
    "г. Казань, ул. Баумана, {n}",
    "г. Екатеринбург, ул. Малышева, {n}",
    "г. Новосибирск, Красный пр., {n}",
    "г. Самара, ул. Куйбышева, д. {n}",
)
_EN_STREETS = (
    "{n} MAIN ST, SPRINGFIELD",
    "{n} HIGH ST, LONDON",
    "{n} MARKET ST, SAN FRANCISCO CA",
    "{n} RUE DE RIVOLI, PARIS",
    "FRIEDRICHSTR. {n}, BERLIN",
    "{n} BROADWAY, NEW YORK NY",
)
# Rough shares of systems on slips of each locale; MIR dominates in Russia.
_SYSTEM_WEIGHTS = {
    "ru": (0.22, 0.18, 0.45, 0.06, 0.02, 0.05, 0.02),
    "en": (0.42, 0.32, 0.04, 0.07, 0.09, 0.03, 0.03),
}
_AUTH_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"  # no O/I/Q: they cannot be told from 0/1


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _random_amount(rng: random.Random, low: float, high: float, small: float = 0.1) -> Decimal:
    """Log-uniform amount with 2 decimals; a share ``small`` are petty purchases below ``low``, a fifth whole."""
    if rng.random() < small:
        low, high = max(1.0, low / 50), low
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    cents = round(value * 100)
    if rng.random() < 0.2:
        cents = max(100, cents - cents % 100)
    return (Decimal(cents) / 100).quantize(_CENT)


def _random_hour(rng: random.Random) -> int:
    weights = (1, 0.5, 0.3, 0.2, 0.2, 0.3, 1, 2, 4, 5, 6, 6, 7, 7, 6, 6, 6, 7, 8, 8, 6, 4, 3, 2)
    return rng.choices(range(24), weights=weights)[0]


def _fill(rng: random.Random, template: str, high: int = 9999) -> str:
    return template.format(n=rng.randint(2, high)) if "{n}" in template else template


def random_truth(
    rng: random.Random,
    *,
    kind: str = "slip",
    locale: str | None = None,
    start: date = date(2026, 1, 1),
    end: date = date(2026, 12, 31),
) -> DocumentTruth:
    """A plausible document content; the date is uniform in ``[start, end]``, the locale 60% ru, 40% en if
    unset (the European locales are drawn only when asked for by name)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if end < start:
        raise ValueError("end is before start")
    if kind == "other":
        return DocumentTruth("other", None, None, None, None, None, None, None, None, None, None)
    if locale is None:
        locale = rng.choices(_DEFAULT_LOCALES, weights=(0.6, 0.4))[0]
    if locale not in LOCALES:
        raise ValueError(f"locale must be one of {LOCALES}, not {locale!r}")
    day = start + timedelta(days=rng.randrange((end - start).days + 1))
    at = time(_random_hour(rng), rng.randrange(60))
    if locale in _COUNTRIES:
        return _european_truth(rng, kind, _COUNTRIES[locale], day, at)
    merchant = _fill(rng, rng.choice(_RU_MERCHANTS if locale == "ru" else _EN_MERCHANTS))
    system = rng.choices(PAYMENT_SYSTEMS, weights=_SYSTEM_WEIGHTS[locale])[0]
    last4 = _digits(rng, 4)
    if kind == "slip":
        amount = _random_amount(rng, 50, 20000)
        auth = "".join(rng.choice("0123456789" if rng.random() < 0.6 else _AUTH_ALPHABET) for _ in range(6))
        rrn = _digits(rng, 12) if rng.random() < 0.92 else None
        terminal = str(rng.randint(10_000_000, 99_999_999))
        return DocumentTruth("slip", locale, amount, day, at, last4, system, merchant, rrn, auth, terminal)
    # Large enough for 15-35 positions at the cheapest price (see receipt_items).
    amount = _random_amount(rng, 600, 12000, 0) if locale == "ru" else _random_amount(rng, 15, 400, 0)
    paid_by_card = rng.random() < 0.3
    fiscal = _random_fiscal(rng) if locale == "ru" else None
    if paid_by_card:
        return DocumentTruth(
            "receipt", locale, amount, day, at, last4, system, merchant, None, None, None, fiscal
        )
    return DocumentTruth("receipt", locale, amount, day, at, None, None, merchant, None, None, None, fiscal)


# Real fiscal drive numbers start with the maker's series; the rest is the drive's serial.
_FN_SERIES = ("9289", "9960", "7380", "8710", "9251", "7281")


def _random_fiscal(rng: random.Random) -> FiscalTruth:
    """A Russian receipt's fiscal ids; one in 25 a refund, one in six with a damaged QR."""
    return FiscalTruth(
        fn=rng.choice(_FN_SERIES) + _digits(rng, 12),
        i=str(rng.randint(1, 99_999)),
        fp=str(rng.randint(1, 4_294_967_295)),  # printed as the 32-bit number it is
        operation=2 if rng.random() < 0.04 else 1,
        seconds=rng.randrange(60) if rng.random() < 0.3 else None,
        damage=rng.choice(FISCAL_DAMAGES) if rng.random() < 1 / 6 else None,
    )


def fiscal_payload(truth: DocumentTruth) -> str:
    """The fiscal QR's text for a Russian receipt, written out here rather than by recognition.fiscal_qr, so a
    test of the parser on generated receipts is not the parser agreeing with itself."""
    fiscal = truth.fiscal
    if fiscal is None or truth.date is None or truth.time is None or truth.amount is None:
        raise ValueError("a fiscal QR needs the fiscal ids, the date, the time and the total")
    seconds = f"{fiscal.seconds:02d}" if fiscal.seconds is not None else ""
    return (
        f"t={truth.date:%Y%m%d}T{truth.time:%H%M}{seconds}&s={truth.amount:.2f}"
        f"&fn={fiscal.fn}&i={fiscal.i}&fp={fiscal.fp}&n={fiscal.operation}"
    )


# --------------------------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class PrintedLine:
    """One printed line; ``scale`` > 1 is the double-size type printers use for totals."""

    text: str
    align: str = "left"  # "left" | "center" | "right"
    bold: bool = False
    scale: float = 1.0


@dataclass(frozen=True)
class ReceiptItem:
    """A receipt position; ``total == qty * price`` exactly."""

    name: str
    qty: int
    price: Decimal
    total: Decimal
    tax: str = ""  # the VAT class letter of the European locales (see _Country.rates), "" elsewhere


class _Layout:
    """Collects lines for a paper ``cols`` characters wide, wrapping or splitting what does not fit."""

    def __init__(self, cols: int, paired: bool = False) -> None:
        self.cols = cols
        self.paired = paired  # a slip's style: key and value justified apart, or one after the other
        self.lines: list[PrintedLine] = []

    def kv(self, key: str, value: str, *, bold: bool = False, scale: float = 1.0) -> None:
        if self.paired:
            self.pair(key, value, bold=bold, scale=scale)
        else:
            self.add(f"{key} {value}", bold=bold, scale=scale)

    def width(self, scale: float) -> int:
        return int(self.cols / scale)

    def add(self, text: str, align: str = "left", *, bold: bool = False, scale: float = 1.0) -> None:
        for part in textwrap.wrap(text, self.width(scale)) or [""]:
            self.lines.append(PrintedLine(part, align, bold, scale))

    def pair(self, left: str, right: str, *, bold: bool = False, scale: float = 1.0) -> None:
        """Left and right justified on one line (the usual slip look), or on two lines if too long."""
        cols = self.width(scale)
        if not left or not right:
            if left or right:
                self.add(left or right, "left" if left else "right", bold=bold, scale=scale)
        elif len(left) + 1 + len(right) <= cols:
            self.lines.append(
                PrintedLine(left + " " * (cols - len(left) - len(right)) + right, "left", bold, scale)
            )
        else:
            self.add(left, bold=bold, scale=scale)
            self.add(right, "right", bold=bold, scale=scale)

    def rule(self, char: str = "-") -> None:
        self.lines.append(PrintedLine(char * self.cols))


def _money(amount: Decimal, *, sep: str = ".", group: str = "") -> str:
    """``1234.5`` -> ``1 234,50`` etc.; exact, never through float."""
    cents = int(amount.quantize(_CENT) * 100)
    whole, frac = divmod(cents, 100)
    digits = f"{whole:,}".replace(",", group) if group else str(whole)
    return f"{digits}{sep}{frac:02d}"


_BINS = {
    "VISA": ("427683", "414949", "446915"),
    "MASTERCARD": ("546938", "521324", "539923"),
    "MIR": ("220220", "220070", "220015"),
    "MAESTRO": ("676280", "639002"),
    "AMEX": ("374245", "371449"),
    "UNIONPAY": ("621483", "625094"),
    "JCB": ("353011", "356600"),
}


def _card_mask(rng: random.Random, last4: str, system: str | None) -> str:
    length = 15 if system == "AMEX" else 16
    style = rng.randrange(5)
    if style == 0:
        return f"**** **** **** {last4}"
    if style == 1:
        return f"**** {last4}"
    if style == 2:
        return "X" * (length - 4) + last4
    if style == 3:
        return "*" * (length - 4) + last4
    return rng.choice(_BINS.get(system or "", _BINS["VISA"])) + "*" * (length - 10) + last4


def _system_name(rng: random.Random, system: str, locale: str) -> str:
    variants = {
        "VISA": ("VISA", "VISA", "Visa", "VISA DEBIT"),
        "MASTERCARD": ("MASTERCARD", "MASTERCARD", "MasterCard"),
        "MIR": ("МИР", "MIR") if locale == "ru" else ("MIR",),
        "MAESTRO": ("MAESTRO", "Maestro"),
        "AMEX": ("AMEX", "AMERICAN EXPRESS"),
        "UNIONPAY": ("UNIONPAY", "UnionPay"),
        "JCB": ("JCB",),
    }
    return rng.choice(variants[system])


def _phone(rng: random.Random, us: bool) -> str:
    """A US number, `(806) 593-7761`, or a UK one, `020 7946 0123`: the country the document's dates follow."""
    if us:
        return f"({_digits(rng, 3)}) {_digits(rng, 3)}-{_digits(rng, 4)}"
    return f"0{_digits(rng, 2)} {_digits(rng, 4)} {_digits(rng, 4)}"


def _clock(rng: random.Random, at: time | None, twelve: bool = False) -> str:
    """``14:32``, ``14:32:05`` or ``02:32 PM``; printed seconds are noise, the truth keeps minutes only."""
    seconds = f":{rng.randrange(60):02d}" if rng.random() < 0.5 else ""
    if at is None:
        return ""
    if twelve:
        return f"{at.hour % 12 or 12:02d}:{at.minute:02d} {'PM' if at.hour >= 12 else 'AM'}"
    return f"{at:%H:%M}{seconds}"


def _ru_date(rng: random.Random, day: date | None) -> str:
    style = "%d.%m.%y" if rng.random() < 0.5 else "%d.%m.%Y"
    return day.strftime(style) if day is not None else ""


def _en_date_time(rng: random.Random, day: date | None, at: time | None, us: bool) -> tuple[str, str]:
    """US slips put the month first (11/21/26) and sometimes use a 12-hour clock; others day first."""
    if us:
        style, twelve = ("%m/%d/%y" if rng.random() < 0.6 else "%m/%d/%Y"), rng.random() < 0.25
    else:
        style, twelve = ("%d/%m/%Y" if rng.random() < 0.7 else "%d/%m/%y"), False
    return (day.strftime(style) if day is not None else ""), _clock(rng, at, twelve)


def _labelled(label: str, value: str) -> str:
    return f"{label} {value}" if value else ""


def _slip_ru(t: DocumentTruth, rng: random.Random) -> list[PrintedLine]:
    lay = _Layout(rng.randint(28, 34))
    lay.paired = rng.random() < 0.6
    kv = lay.kv

    lay.add(rng.choice(_RU_BANKS), "center", bold=True)
    if rng.random() < 0.5:
        lay.add(f"{rng.choice(('ЧЕК', 'КВИТАНЦИЯ'))} {rng.randint(1, 9999):04d}", "center")
    if t.merchant:
        lay.add(t.merchant, "center", bold=rng.random() < 0.5)
    lay.add(_fill(rng, rng.choice(_RU_STREETS), 150), "center")
    if rng.random() < 0.5:
        lay.rule(rng.choice("-="))
    if t.terminal_id:
        kv(rng.choice(("ТЕРМИНАЛ:", "Терминал", "Терминал:")), t.terminal_id)
    if rng.random() < 0.8:
        kv(rng.choice(("Мерчант:", "Мерчант")), _digits(rng, rng.randint(10, 12)))
    if t.date is not None or t.time is not None:
        ds, ts = _ru_date(rng, t.date), _clock(rng, t.time)
        if rng.random() < 0.5:
            lay.pair(ds, ts)
        else:
            lay.add(f"{ds} {ts}".strip())
    lay.add(rng.choice(("ОПЛАТА", "ПОКУПКА", "ОПЛАТА ПОКУПКИ")), "center", bold=True)
    if t.payment_system:
        lay.add(_system_name(rng, t.payment_system, "ru"), rng.choice(("center", "left")), bold=True)
    if t.card_last4:
        mask = _card_mask(rng, t.card_last4, t.payment_system)
        prefix = "Карта:" if len(mask) < 10 else rng.choice(("Карта:", "Карта", ""))
        if prefix and lay.paired:
            lay.pair(prefix, mask)
        else:
            lay.add(f"{prefix} {mask}".strip())
    if rng.random() < 0.4:
        lay.add(rng.choice(("Бесконтактная оплата", "(Chip)", "Contactless", "Ввод: бесконтактный")))
    if t.amount is not None:
        group = " " if rng.random() < 0.35 else ""
        style = rng.randrange(3)
        scale = 1.25 if rng.random() < 0.3 else 1.0
        if style == 0:
            kv("Сумма (Руб):", _money(t.amount, sep=",", group=group), bold=True, scale=scale)
        elif style == 1:
            kv("ИТОГО:", f"{_money(t.amount, sep=',', group=group)} руб", bold=True, scale=scale)
        else:
            kv("СУММА:", f"{_money(t.amount, sep='.', group=group)} RUB", bold=True, scale=scale)
    if rng.random() < 0.4:
        kv("Комиссия:", rng.choice(("0,00", "0.00", "0 руб.")))
    if t.auth_code:
        kv(rng.choice(("Код авторизации:", "Код авт.:", "КОД АВТОРИЗАЦИИ:")), t.auth_code)
    if t.rrn:
        kv(rng.choice(("RRN:", "Номер ссылки:", "RRN")), t.rrn)
    if rng.random() < 0.35:
        kv("AID:", rng.choice(("A0000006581010", "A0000000031010", "A0000000041010")))
    lay.add(rng.choice(("ОДОБРЕНО", "ОДОБРЕНО", "ОПЕРАЦИЯ ОДОБРЕНА")), "center", bold=True)
    if rng.random() < 0.7:
        lay.add("Подпись клиента не требуется", "center")
    if rng.random() < 0.4:
        lay.add(rng.choice(("СПАСИБО ЗА ПОКУПКУ", "Сохраняйте чек", "КОПИЯ КЛИЕНТА")), "center")
    lay.rule(rng.choice("-="))
    return lay.lines


def _slip_en(t: DocumentTruth, rng: random.Random) -> list[PrintedLine]:
    lay = _Layout(rng.randint(28, 34))
    lay.paired = rng.random() < 0.6
    kv = lay.kv

    # A US terminal prints dollars, month-first dates and sometimes a 12-hour clock; a UK or EU one, day first.
    us = rng.random() < 0.5
    if t.merchant:
        lay.add(t.merchant, "center", bold=True)
    lay.add(_fill(rng, rng.choice(_EN_STREETS), 1500), "center")
    if rng.random() < 0.4:  # a US phone on a US slip only
        phone = _phone(rng, us)
        lay.add(f"TEL: {phone}", "center")
    if rng.random() < 0.5:
        lay.rule(rng.choice("-="))
    if t.terminal_id:
        kv(rng.choice(("TERMINAL ID:", "TID:", "TERMINAL:")), t.terminal_id)
    if rng.random() < 0.8:
        kv(rng.choice(("MERCHANT ID:", "MID:")), _digits(rng, rng.randint(10, 15)))
    if t.date is not None or t.time is not None:
        ds, ts = _en_date_time(rng, t.date, t.time, us)
        both = f"{_labelled('DATE:', ds)} {_labelled('TIME:', ts)}".strip()
        style = rng.randrange(3)
        if style == 0 and len(both) <= lay.cols:
            lay.add(both)
        elif style == 2:
            lay.pair(ds, ts)
        else:
            lay.pair(_labelled("DATE:", ds), _labelled("TIME:", ts))
    if rng.random() < 0.4:
        lay.pair(f"BATCH: {_digits(rng, 6)}", f"INV: {_digits(rng, 6)}")
    lay.add(rng.choice(("SALE", "SALE", "PURCHASE")), "center", bold=True)
    if t.payment_system:
        lay.add(_system_name(rng, t.payment_system, "en"), rng.choice(("center", "left")), bold=True)
    if t.card_last4:
        mask = _card_mask(rng, t.card_last4, t.payment_system)
        if lay.paired:
            lay.pair("CARD:", mask)
        else:
            lay.add(f"CARD: {mask}")
    if rng.random() < 0.4:
        kv("ENTRY:", rng.choice(("CHIP", "CONTACTLESS", "TAP", "SWIPED")))
    if t.amount is not None:
        group = "," if rng.random() < 0.35 else ""
        money = _money(t.amount, sep=".", group=group)
        currency = "USD" if us else rng.choice(("EUR", "GBP"))
        scale = 1.25 if rng.random() < 0.3 else 1.0
        style = rng.randrange(3)
        if style == 0:
            kv("AMOUNT:", f"{currency} {money}", bold=True, scale=scale)
        elif style == 1:
            kv("TOTAL:", f"{currency} {money}", bold=True, scale=scale)
        else:
            kv("TOTAL", f"${money}" if currency == "USD" else f"{money} {currency}", bold=True, scale=scale)
    if t.auth_code:
        kv(rng.choice(("AUTH CODE:", "AUTH NO:", "APPR CODE:")), t.auth_code)
    if t.rrn:
        kv(rng.choice(("RRN:", "REF NO:", "RRN")), t.rrn)
    if rng.random() < 0.35:
        kv("AID:", rng.choice(("A0000000031010", "A0000000041010", "A000000025010801")))
    lay.add("APPROVED", "center", bold=True)
    if rng.random() < 0.5:
        lay.add("NO SIGNATURE REQUIRED", "center")
    lay.add(rng.choice(("THANK YOU", "THANK YOU!", "THANK YOU, COME AGAIN")), "center")
    if rng.random() < 0.4:
        lay.add(rng.choice(("CUSTOMER COPY", "*** CUSTOMER COPY ***")), "center")
    lay.rule(rng.choice("-="))
    return lay.lines


# Item name and a typical unit price; the catalogue price only sets the relative size of positions.
_RU_GOODS = (
    ("Молоко 3.2% 1л", 90),
    ("Хлеб Бородинский", 55),
    ("Сыр Российский 300г", 320),
    ("Яйцо С1 10шт", 110),
    ("Масло сливочное 82%", 190),
    ("Кефир 1% 900г", 85),
    ("Бананы 1кг", 130),
    ("Яблоки Гренни 1кг", 170),
    ("Картофель 1кг", 45),
    ("Куриное филе 1кг", 420),
    ("Гречка 900г", 95),
    ("Рис круглый 800г", 90),
    ("Макароны 450г", 75),
    ("Сахар 1кг", 80),
    ("Чай черный 100пак", 260),
    ("Кофе молотый 250г", 450),
    ("Шоколад молочный", 110),
    ("Печенье овсяное", 120),
    ("Вода питьевая 1.5л", 45),
    ("Сок яблочный 1л", 140),
    ("Пакет-майка", 8),
    ("Колбаса докторская", 380),
    ("Сметана 20% 300г", 120),
    ("Творог 5% 200г", 110),
    ("Майонез 400мл", 130),
    ("Огурцы 1кг", 160),
    ("Помидоры 1кг", 220),
    ("Лук репчатый 1кг", 50),
    ("Зубная паста 100мл", 180),
    ("Шампунь 400мл", 350),
    ("Туалетная бумага 4шт", 190),
    ("Пельмени 800г", 380),
    ("Мороженое пломбир", 90),
    ("Йогурт питьевой", 75),
    ("Сосиски молочные", 300),
)
_EN_GOODS = (
    ("MILK 1L", 1.2),
    ("BREAD WHITE", 2.5),
    ("EGGS DOZEN", 3.9),
    ("BUTTER 250G", 4.5),
    ("CHEDDAR CHEESE", 5.5),
    ("BANANAS", 1.3),
    ("APPLES 1KG", 3.2),
    ("COFFEE BEANS", 9.9),
    ("TEA BAGS 100", 4.5),
    ("ORANGE JUICE", 3.8),
    ("WATER 6PK", 4.0),
    ("PASTA 500G", 1.8),
    ("RICE 2KG", 5.2),
    ("CHICKEN BREAST", 8.9),
    ("YOGURT", 1.1),
    ("CEREAL", 4.3),
    ("TOMATOES", 2.9),
    ("ONIONS", 1.5),
    ("POTATOES 5LB", 4.8),
    ("CHOCOLATE BAR", 1.9),
    ("COOKIES", 3.5),
    ("SHAMPOO", 6.9),
    ("TOOTHPASTE", 3.3),
    ("PAPER TOWELS", 7.5),
    ("DISH SOAP", 2.9),
    ("ICE CREAM", 5.5),
    ("BAGEL", 1.0),
    ("PEANUT BUTTER", 3.6),
)


def receipt_items(
    total: Decimal, rng: random.Random, *, locale: str = "ru", count: int | None = None
) -> list[ReceiptItem]:
    """Positions whose totals add up to ``total`` exactly, with shop-like prices (89,90 / 1.29).

    The total is fixed first and split, so any truth (even a hand-made one) can be rendered as a receipt.
    Prices are snapped to a grid with the rounding drift kept near zero; the last position absorbs it.
    """
    cents = int(total.quantize(_CENT) * 100)
    if cents <= 0:
        raise ValueError("a receipt total must be positive")
    country = _COUNTRIES.get(locale)
    goods: tuple[tuple, ...] = _RU_GOODS if locale == "ru" else country.goods if country else _EN_GOODS
    floor = 2000 if locale == "ru" else country.cheapest if country else 50  # cheapest position, in cents
    n = count if count is not None else rng.randint(15, 35)
    n = max(1, min(n, cents // floor))
    picked = [rng.choice(goods) for _ in range(n)]
    weights = [good[1] * rng.lognormvariate(0, 0.5) for good in picked]
    spare = cents - n * floor if cents >= n * floor else 0
    shares = [floor + int(spare * w / sum(weights)) for w in weights] if spare else [cents // n] * n
    shares[-1] += cents - sum(shares)
    grid = 10  # ru prices end in a whole 10 kopecks, en ones in 9 cents (x.x9)
    items: list[ReceiptItem] = []
    drift = 0  # printed minus planned, cents
    for (name, *_), share in zip(picked[:-1], shares[:-1], strict=True):
        qty = rng.choice((1, 1, 1, 1, 2, 2, 3)) if share >= 4 * floor else 1
        unit = share / qty
        if locale == "ru":
            low = max(grid, int(unit // grid) * grid)
            high = low + grid
        else:
            low = max(9, int((unit + 1) // grid) * grid - 1)
            high = low + grid
        price = high if drift + (low * qty - share) < 0 else low
        drift += price * qty - share
        items.append(_item(name, qty, price, _tax(picked[len(items)])))
    last = shares[-1] - drift
    if last <= 0:  # only for tiny hand-made totals: fall back to an exact, unsnapped split
        return [_item(good[0], 1, share, _tax(good)) for good, share in zip(picked, shares, strict=True)]
    items.append(_item(picked[-1][0], 1, last, _tax(picked[-1])))
    return items


def _tax(good: tuple) -> str:
    return good[2] if len(good) > 2 else ""


def _item(name: str, qty: int, price_cents: int, tax: str = "") -> ReceiptItem:
    price = (Decimal(price_cents) / 100).quantize(_CENT)
    return ReceiptItem(name, qty, price, (price * qty).quantize(_CENT), tax)


def _receipt(t: DocumentTruth, rng: random.Random) -> list[PrintedLine]:
    ru = (t.locale or "ru") == "ru"
    lay = _Layout(rng.randint(38, 46))
    sep = "," if ru and rng.random() < 0.7 else "."
    group = (" " if ru else ",") if rng.random() < 0.5 else ""
    if t.amount is None:
        raise ValueError("a receipt is rendered from its total: the truth needs an amount")
    amount = t.amount
    items = receipt_items(amount, rng, locale="ru" if ru else "en")

    def money(value: Decimal, grouped: bool = False) -> str:
        return _money(value, sep=sep, group=group if grouped else "")

    if t.merchant:
        lay.add(t.merchant, "center", bold=True)
    lay.add(_fill(rng, rng.choice(_RU_STREETS if ru else _EN_STREETS), 150), "center")
    if ru:
        lay.add(f"ИНН {_digits(rng, 10)}", "center")
        lay.add("КАССОВЫЙ ЧЕК", "center", bold=True)
        lay.add("ВОЗВРАТ ПРИХОДА" if t.fiscal and t.fiscal.operation == 2 else "ПРИХОД", "center")
    else:
        # A US shop prints a (NNN) NNN-NNNN phone and month-first dates; a UK one neither (the two used to be
        # drawn apart, printing a London receipt with a US phone and a day-first date).
        us = rng.random() < 0.5
        phone = _phone(rng, us)
        lay.add(f"TEL {phone}", "center")
    lay.rule()
    two_line = len(items) <= 18 and rng.random() < 0.6  # keeps tall receipts within a photo
    times = rng.choice(("x", "x", "*")) if ru else rng.choice(("x", "@"))
    equals = "=" if ru and rng.random() < 0.5 else ""
    show_single = rng.random() < 0.4  # print "1 x price" for single positions too
    for number, item in enumerate(items, 1):
        qty_part = f"{item.qty} {times} {money(item.price)}"
        total = equals + money(item.total)
        if two_line:
            lay.add(f"{number}. {item.name}" if ru else item.name)
            lay.pair(f"  {qty_part}", total)
            continue
        right = f"{qty_part} {total:>9}" if item.qty > 1 or show_single else total
        width = lay.cols - len(right) - 1
        lay.pair(item.name[:width], right)
    lay.rule()
    total_text = money(amount, grouped=True)
    if ru:
        lay.pair("ПОДЫТОГ", total_text)
        lay.pair("ИТОГ", f"={total_text}", bold=True, scale=rng.choice((1.0, 1.3, 1.3)))
        if t.card_last4:
            lay.pair("БЕЗНАЛИЧНЫМИ", f"={total_text}")
        elif rng.random() < 0.5:
            cash = _tendered(amount, rng)
            lay.pair("НАЛИЧНЫМИ", f"={money(cash)}")
            lay.pair("СДАЧА", f"={money(cash - amount)}")
        else:
            lay.pair("ЭЛЕКТРОННЫМИ", f"={total_text}")
        if rng.random() < 0.5:
            vat = (amount * 20 / 120).quantize(_CENT, rounding=ROUND_HALF_UP)
            lay.pair("В т.ч. НДС 20%", f"={money(vat)}")
    else:
        lay.pair("SUBTOTAL", total_text)
        lay.pair("TOTAL", total_text, bold=True, scale=rng.choice((1.0, 1.3)))
        if not t.card_last4 and rng.random() < 0.5:
            cash = _tendered(amount, rng)
            lay.pair("CASH", money(cash))
            lay.pair("CHANGE", money(cash - amount))
    if t.card_last4:
        system = t.payment_system or "VISA"
        lay.add(f"{_system_name(rng, system, t.locale or 'ru')} **** {t.card_last4}")
    if ru:
        lay.add(f"КАССИР: {rng.choice(('Иванова А.С.', 'Петров И.И.', 'Смирнова Е.В.', 'Кассир 1'))}")
        lay.pair(f"СМЕНА {rng.randint(1, 400)}", f"ЧЕК {rng.randint(1, 300)}")
    if t.date is not None or t.time is not None:
        if ru:
            ds, ts = _ru_date(rng, t.date), _clock(rng, t.time)
            if t.fiscal is not None and t.time is not None:  # the register prints its clock as the QR has it
                ts = f"{t.time:%H:%M}" + (f":{t.fiscal.seconds:02d}" if t.fiscal.seconds is not None else "")
            if rng.random() < 0.5:
                lay.add(f"{ds} {ts}".strip())
            else:
                lay.pair(_labelled("ДАТА", ds), _labelled("ВРЕМЯ", ts))
        else:
            ds, ts = _en_date_time(rng, t.date, t.time, us)
            lay.pair(ds, ts)
    if ru:
        fn, fd, fp = _digits(rng, 16), rng.randint(1, 99999), _digits(rng, 10)
        if t.fiscal is not None:
            fn, fd, fp = t.fiscal.fn, t.fiscal.i, t.fiscal.fp
        lay.add(f"ФН {fn}")
        lay.pair(f"ФД {fd}", f"ФП {fp}")
        if rng.random() < 0.5:
            lay.add("САЙТ ФНС: www.nalog.gov.ru")
        lay.add("СПАСИБО ЗА ПОКУПКУ!", "center")
    else:
        lay.add(f"TRANS# {_digits(rng, 5)}  REG {rng.randint(1, 9):02d}")
        lay.add(rng.choice(("THANK YOU FOR SHOPPING", "THANK YOU!", "PLEASE COME AGAIN")), "center")
    return lay.lines


def _tendered(amount: Decimal, rng: random.Random) -> Decimal:
    step = Decimal(rng.choice((50, 100, 500, 1000) if amount >= 100 else (5, 10, 20)))
    return ((amount // step) + 1) * step


# --------------------------------------------------------------------------------------------- European shops
#
# Receipts (and terminal slips) of European shops in their own language and money format, most of them paid by
# card with the card's tail printed: the document a participant abroad photographs. One table per country
# (_Country) and one builder keep the layouts comparable; what a country prints its own way (the Polish PTU
# block, the Turkish asterisks, the Italian "di cui IVA") is a branch on the country's code in the builder.


@dataclass(frozen=True)
class _Country:
    """What a country's shops print, and in which format: variants are drawn per document."""

    code: str
    sep: str  # decimal separator
    group: str  # thousands separator, used on some documents only
    forms: tuple[str, ...]  # an amount with its currency, "{a}" the number: "EUR {a}", "{a} €", "£{a}"
    receipt_range: tuple[float, float]  # log-uniform receipt totals, in the currency
    slip_range: tuple[float, float]
    cheapest: int  # the cheapest receipt position, in cents (receipt_items)
    systems: tuple[float, ...]  # weights over PAYMENT_SYSTEMS + (None,): None is a domestic scheme
    domestic: str  # how that scheme is printed (girocard, CB); it is none of PAYMENT_SYSTEMS
    merchants: tuple[str, ...]
    streets: tuple[str, ...]
    ids: tuple[str, ...]  # the shop's tax number or phone under its address: digits that are no field
    headings: tuple[str, ...]  # "" for none
    goods: tuple[tuple[str, float, str], ...]  # name, typical price, VAT class
    rates: dict[str, Decimal]  # VAT class -> rate in percent
    item_tax: str  # how a position shows its VAT class: "letter", "glued" (3,99A), "rate", "none"
    qty: tuple[str, ...]  # "{q} x {p}"
    subtotals: tuple[str, ...]
    totals: tuple[str, ...]
    card_payments: tuple[str, ...]  # the payment line of a card payment, without the card
    cash: tuple[tuple[str, str], ...]  # (tendered, change)
    vat_columns: tuple[str, str, str, str]  # rate, net, tax, gross
    vat_sums: tuple[str, ...]  # one line with the VAT included
    dates: tuple[str, ...]  # {dd} {d} {mm} {yy} {yyyy} {month} {mon}
    months: tuple[str, ...]
    when: tuple[tuple[str, str], ...]  # (date label, time label)
    tills: tuple[str, ...]  # register, receipt number, cashier: {n} {k} {b}
    thanks: tuple[str, ...]
    loyalty: tuple[str, ...]  # a loyalty card, masked like a payment card: the decoy of the card tail
    copies: tuple[str, ...]  # the heading of the terminal's section: customer or merchant copy
    sales: tuple[str, ...]
    card_labels: tuple[str, ...]  # "" for a bare mask
    masks: tuple[str, ...]  # styles of _european_mask
    amounts: tuple[str, ...]  # the terminal's amount label
    terminals: tuple[str, ...]
    auths: tuple[str, ...]
    traces: tuple[tuple[str, int], ...]  # numbers a terminal prints besides: label, digits
    approvals: tuple[str, ...]
    contactless: tuple[str, ...]
    keep: tuple[str, ...]


_EURO = ("EUR {a}", "{a} EUR", "{a} €", "{a}")
_D = Decimal
_COUNTRIES: dict[str, _Country] = {
    "de": _Country(
        code="de",
        sep=",",
        group=".",
        forms=_EURO,
        receipt_range=(4, 180),
        slip_range=(3, 400),
        cheapest=39,
        systems=(0.24, 0.2, 0, 0.05, 0.03, 0, 0, 0.48),
        domestic="girocard",
        merchants=(
            "REWE Markt GmbH",
            "EDEKA Müller",
            "ALDI SÜD",
            "Lidl Dienstleistung",
            "dm-drogerie markt",
            "ROSSMANN",
            "Kaufland",
            "Bäckerei Schäfer",
            "Netto Marken-Discount",
            "Apotheke am Markt",
        ),
        streets=(
            "Hauptstraße {n}, 10115 Berlin",
            "Königsallee {n}, 40212 Düsseldorf",
            "Marienplatz {n}, 80331 München",
            "Schloßstraße {n}, 12163 Berlin",
            "Große Bleichen {n}, 20354 Hamburg",
        ),
        ids=("USt-IdNr. DE{9}", "St.-Nr. {3}/{3}/{5}", "Tel. 0{3} {6}"),
        headings=("", "", "Rechnung"),
        goods=(
            ("Vollmilch 3,5% 1l", 1.19, "B"),
            ("Bio Bananen", 1.79, "B"),
            ("Roggenbrot 500g", 2.29, "B"),
            ("Butter 250g", 2.49, "B"),
            ("Gouda jung 400g", 3.49, "B"),
            ("Äpfel Elstar 1kg", 2.99, "B"),
            ("Brötchen", 0.39, "B"),
            ("Kaffee gemahlen 500g", 6.99, "B"),
            ("Müsli Früchte", 3.19, "B"),
            ("Schokolade Vollmilch", 1.49, "B"),
            ("Mineralwasser 1,5l", 0.59, "A"),
            ("Apfelschorle 1l", 1.29, "A"),
            ("Weißbier 0,5l", 1.09, "A"),
            ("Spülmittel", 1.45, "A"),
            ("Zahnpasta", 1.95, "A"),
            ("Küchenrolle 4er", 3.29, "A"),
        ),
        rates={"A": _D(19), "B": _D(7)},
        item_tax="letter",
        qty=("{q} Stk x {p}", "{q} x {p}"),
        subtotals=("Zwischensumme", "ZWISCHENSUMME"),
        totals=("Summe", "SUMME", "Zu zahlen", "Gesamtbetrag"),
        card_payments=("Kartenzahlung", "EC-Karte", "Geg. Karte", "Karte"),
        cash=(("Gegeben", "Rückgeld"), ("Geg. BAR", "Rückgeld BAR"), ("Bar", "Zurück")),
        vat_columns=("MwSt", "Netto", "MwSt", "Brutto"),
        vat_sums=("enth. MwSt", "Summe MwSt", "darin MwSt"),
        dates=("{dd}.{mm}.{yyyy}", "{dd}.{mm}.{yyyy}", "{dd}.{mm}.{yy}", "{d}. {month} {yyyy}"),
        months=(
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ),
        when=(("", ""), ("Datum:", "Uhrzeit:"), ("Datum", "Zeit")),
        tills=("Bon-Nr.:{n} Kasse:{k} Bed.:{b}", "Kasse {k}  Bon {n}", "Beleg {n}  Kasse {k}"),
        thanks=("Vielen Dank für Ihren Einkauf!", "Danke und auf Wiedersehen", "Vielen Dank!"),
        loyalty=("Payback-Karte {m}", "DeutschlandCard {m}"),
        copies=("Kundenbeleg", "KUNDENBELEG", "Händlerbeleg", "** Kundenbeleg **"),
        sales=("Kartenzahlung", "Zahlung", "KARTENZAHLUNG"),
        card_labels=("Karte", "Nr.", "Karten-Nr.", "PAN"),
        masks=("#", "X", "*", "x"),
        amounts=("Betrag", "BETRAG"),
        terminals=("Terminal-ID", "Terminal-Nr.", "TID"),
        auths=("Genehmigungs-Nr.", "Autorisierungsnr.", "Autor.-Nr."),
        traces=(("TA-Nr.", 6), ("Trace-Nr.", 6), ("Beleg-Nr.", 4), ("VU-Nr.", 9), ("Kartenfolge-Nr.", 2)),
        approvals=("Zahlung erfolgt", "GENEHMIGT", "Transaktion OK"),
        contactless=("kontaktlos", "Kontaktlos"),
        keep=("Bitte Beleg aufbewahren", "Beleg bitte aufbewahren"),
    ),
    "fr": _Country(
        code="fr",
        sep=",",
        group=" ",
        forms=("{a} €", "{a} EUR", "{a}EUR", "{a}"),
        receipt_range=(4, 180),
        slip_range=(3, 400),
        cheapest=45,
        systems=(0.42, 0.3, 0, 0.02, 0.05, 0, 0, 0.21),
        domestic="CB",
        merchants=(
            "CARREFOUR CITY",
            "MONOPRIX",
            "FRANPRIX",
            "E.LECLERC",
            "Boulangerie Sainte-Cécile",
            "PICARD SURGELES",
            "Pharmacie du Marché",
            "Intermarché Express",
            "Café de la Gare",
        ),
        streets=(
            "{n} rue de la République, 69002 Lyon",
            "{n} avenue Jean-Jaurès, 75019 Paris",
            "{n} boulevard Saint-Germain, 75005 Paris",
            "{n} cours Mirabeau, 13100 Aix-en-Provence",
            "{n} place Bellecour, 69002 Lyon",
        ),
        ids=("SIRET {3} {3} {3} {5}", "TEL 01 {2} {2} {2} {2}", "TVA FR{2} {9}"),
        headings=("", "", "TICKET DE CAISSE"),
        goods=(
            ("BAGUETTE TRADITION", 1.2, "A"),
            ("LAIT DEMI-ÉCRÉMÉ 1L", 1.05, "A"),
            ("CAMEMBERT", 2.35, "A"),
            ("POMMES GOLDEN 1KG", 2.49, "A"),
            ("CAFÉ MOULU 250G", 3.89, "A"),
            ("CROISSANT", 1.1, "A"),
            ("EAU MINÉRALE 1,5L", 0.65, "A"),
            ("JUS D'ORANGE 1L", 2.15, "A"),
            ("YAOURT NATURE X4", 1.85, "A"),
            ("PÂTES FARFALLE 500G", 1.25, "A"),
            ("LESSIVE LIQUIDE", 7.9, "B"),
            ("DENTIFRICE", 2.6, "B"),
            ("VIN CÔTES DU RHÔNE", 6.5, "B"),
            ("SANDWICH JAMBON", 4.2, "C"),
        ),
        rates={"A": _D("5.5"), "B": _D(20), "C": _D(10)},
        item_tax="none",
        qty=("{q} x {p}", "{q} X {p}"),
        subtotals=("SOUS-TOTAL", "Sous-total"),
        totals=("TOTAL TTC", "TOTAL", "Total à payer", "MONTANT TTC", "A PAYER"),
        card_payments=("CB", "Carte bancaire", "CARTE BANCAIRE", "PAIEMENT CB"),
        cash=(("ESPECES", "RENDU"), ("Espèces", "Rendu monnaie")),
        vat_columns=("Taux", "HT", "TVA", "TTC"),
        vat_sums=("dont TVA", "Total TVA"),
        dates=("{dd}/{mm}/{yyyy}", "{dd}/{mm}/{yyyy}", "{dd}/{mm}/{yy}", "{d} {month} {yyyy}"),
        months=(
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ),
        when=(("", ""), ("Date:", "Heure:"), ("Le", "à")),
        tills=("Caisse {k} Ticket {n}", "CAISSE:{k} TICKET:{n} CAISSIER:{b}", "Ticket N° {n}"),
        thanks=("MERCI DE VOTRE VISITE", "Merci et à bientôt !", "A BIENTOT"),
        loyalty=("Carte fidélité {m}", "CARTE CLUB {m}"),
        copies=("TICKET CLIENT", "CARTE BANCAIRE", "TICKET COMMERCANT"),
        sales=("DEBIT", "ACHAT", "PAIEMENT"),
        card_labels=("", "CARTE", "No"),
        masks=("#", "*", "X group"),
        amounts=("MONTANT", "Montant"),
        terminals=("TERMINAL", "No TPE", "Terminal"),
        auths=("No AUTO:", "AUTORISATION", "No AUTORISATION"),
        traces=(("No TRANS", 6), ("No COMMERCANT", 7), ("No REMISE", 3)),
        approvals=("PAIEMENT ACCEPTE", "TRANSACTION ACCEPTEE"),
        contactless=("SANS CONTACT", "CB SANS CONTACT"),
        keep=("TICKET A CONSERVER", "A CONSERVER"),
    ),
    "es": _Country(
        code="es",
        sep=",",
        group=".",
        forms=("{a} €", "{a} EUR", "{a}"),
        receipt_range=(4, 180),
        slip_range=(3, 400),
        cheapest=45,
        systems=(0.55, 0.38, 0, 0.02, 0.05, 0, 0, 0),
        domestic="",
        merchants=(
            "MERCADONA S.A.",
            "DIA RETAIL ESPAÑA",
            "CARREFOUR EXPRESS",
            "EL CORTE INGLÉS",
            "Panadería Muñoz",
            "LIDL SUPERMERCADOS S.A.U.",
            "Farmacia Peñalver",
            "Bar Cañas y Tapas",
        ),
        streets=(
            "C/ Mayor, {n}, 28013 Madrid",
            "Avda. de la Constitución {n}, Sevilla",
            "Passeig de Gràcia {n}, Barcelona",
            "C/ Colón {n}, 46004 Valencia",
            "Plaza España {n}, Zaragoza",
        ),
        ids=("CIF: B{8}", "NIF A-{8}", "Tel. 91 {3} {2} {2}"),
        headings=("FACTURA SIMPLIFICADA", "Factura simplificada", ""),
        goods=(
            ("PAN DE MOLDE", 1.35, "A"),
            ("LECHE SEMIDESNATADA", 0.89, "A"),
            ("HUEVOS L 12UD", 2.6, "A"),
            ("QUESO MANCHEGO", 5.9, "A"),
            ("PLÁTANO DE CANARIAS", 2.2, "A"),
            ("JAMÓN SERRANO", 4.5, "B"),
            ("AGUA MINERAL 1,5L", 0.45, "B"),
            ("ZUMO NARANJA", 1.7, "B"),
            ("GALLETAS MARÍA", 1.1, "B"),
            ("CAFÉ MOLIDO", 3.2, "B"),
            ("CERVEZA 6X33", 4.3, "C"),
            ("DETERGENTE", 5.5, "C"),
            ("PAÑUELOS", 1.2, "C"),
        ),
        rates={"A": _D(4), "B": _D(10), "C": _D(21)},
        item_tax="none",
        qty=("{q} x {p}", "{q} UD x {p}"),
        subtotals=("SUBTOTAL", "Subtotal"),
        totals=("TOTAL", "TOTAL (€)", "TOTAL COMPRA", "Importe total", "TOTAL A PAGAR"),
        card_payments=("TARJETA", "Tarjeta bancaria", "PAGO CON TARJETA"),
        cash=(("EFECTIVO", "CAMBIO"), ("ENTREGADO", "CAMBIO"), ("Entregado", "Devolución")),
        vat_columns=("IVA", "BASE IMP.", "CUOTA", "TOTAL"),
        vat_sums=("IVA incluido", "Total IVA", "Cuota IVA"),
        dates=(
            "{dd}/{mm}/{yyyy}",
            "{dd}/{mm}/{yyyy}",
            "{dd}-{mm}-{yyyy}",
            "{dd}/{mm}/{yy}",
            "{d} {mon} {yyyy}",
        ),
        months=(
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ),
        when=(("", ""), ("Fecha:", "Hora:"), ("FECHA", "HORA")),
        tills=("Nº: {k}-{n}", "Tienda {b} Caja {k} Ticket {n}", "FACTURA: {k}{n}"),
        thanks=("GRACIAS POR SU VISITA", "¡Gracias por su compra!", "GRACIAS"),
        loyalty=("Tarjeta cliente {m}", "Club DIA {m}"),
        copies=("COPIA CLIENTE", "COPIA PARA EL CLIENTE", "COPIA COMERCIO"),
        sales=("VENTA", "COMPRA"),
        card_labels=("Tarjeta", "TARJ:", "Nº tarjeta"),
        masks=("short", "*", "bin"),
        amounts=("IMPORTE", "Importe"),
        terminals=("TERMINAL", "TPV", "Terminal"),
        auths=("Aut.:", "AUTORIZACIÓN", "Nº Autorización"),
        traces=(("Comercio", 9), ("Nº operación", 6), ("ARC", 2)),
        approvals=("OPERACIÓN APROBADA", "AUTORIZADA"),
        contactless=("SIN CONTACTO", "CONTACTLESS"),
        keep=("CONSERVE ESTE JUSTIFICANTE", "GRACIAS POR SU VISITA"),
    ),
    "it": _Country(
        code="it",
        sep=",",
        group=".",
        forms=("{a}", "EUR {a}", "€ {a}"),
        receipt_range=(4, 180),
        slip_range=(3, 400),
        cheapest=45,
        systems=(0.45, 0.4, 0, 0.1, 0.05, 0, 0, 0),
        domestic="",
        merchants=(
            "CONAD",
            "COOP LOMBARDIA",
            "ESSELUNGA S.p.A.",
            "CARREFOUR MARKET",
            "Farmacia San Giuseppe",
            "Bar Caffè Italia",
            "Panificio Pellegrini",
            "PAM PANORAMA",
        ),
        streets=(
            "Via Roma {n}, 20121 Milano",
            "Corso Vittorio Emanuele II {n}, Torino",
            "Piazza Navona {n}, 00186 Roma",
            "Via Toledo {n}, 80134 Napoli",
            "Via dei Calzaiuoli {n}, Firenze",
        ),
        ids=("P.IVA {11}", "C.F. {11}", "Tel. 02 {7}"),
        headings=("DOCUMENTO COMMERCIALE", "DOCUMENTO COMMERCIALE di vendita o prestazione"),
        goods=(
            ("PANE CASERECCIO", 2.1, "A"),
            ("LATTE INTERO 1L", 1.29, "A"),
            ("MOZZARELLA", 1.49, "A"),
            ("PASTA PENNE 500G", 0.99, "A"),
            ("PASSATA DI POMODORO", 1.15, "A"),
            ("PROSCIUTTO CRUDO", 3.9, "B"),
            ("BISCOTTI", 2.3, "B"),
            ("GELATO", 3.5, "B"),
            ("CORNETTO", 1.2, "B"),
            ("CAFFÈ MACINATO 250G", 3.6, "C"),
            ("ACQUA NATURALE 1,5L", 0.39, "C"),
            ("VINO CHIANTI", 6.9, "C"),
            ("DETERSIVO PIATTI", 2.2, "C"),
        ),
        rates={"A": _D(4), "B": _D(10), "C": _D(22)},
        item_tax="rate",
        qty=("{q} x {p}", "{q} X {p}"),
        subtotals=("SUBTOTALE", "Subtotale"),
        totals=("TOTALE COMPLESSIVO", "TOTALE COMPLESSIVO", "TOTALE", "TOTALE EURO"),
        card_payments=("PAGAMENTO ELETTRONICO", "Pagamento elettronico", "CARTA DI CREDITO"),
        cash=(("PAGAMENTO CONTANTE", "RESTO"), ("CONTANTI", "RESTO")),
        vat_columns=("ALIQ.", "IMPONIBILE", "IMPOSTA", "TOTALE"),
        vat_sums=("di cui IVA", "DI CUI IVA"),
        dates=(
            "{dd}/{mm}/{yyyy}",
            "{dd}/{mm}/{yyyy}",
            "{dd}-{mm}-{yyyy}",
            "{dd}/{mm}/{yy}",
            "{d} {month} {yyyy}",
        ),
        months=(
            "gennaio",
            "febbraio",
            "marzo",
            "aprile",
            "maggio",
            "giugno",
            "luglio",
            "agosto",
            "settembre",
            "ottobre",
            "novembre",
            "dicembre",
        ),
        when=(("", ""), ("DATA", "ORA"), ("Data:", "Ora:")),
        tills=("DOCUMENTO N. {k}-{n}", "Cassa {k} Scontrino {n}", "RT {b} N. {n}"),
        thanks=("GRAZIE E ARRIVEDERCI", "Grazie per la visita"),
        loyalty=("Carta fedeltà {m}", "Carta Insieme {m}"),
        copies=("COPIA CLIENTE", "RICEVUTA CLIENTE", "COPIA ESERCENTE"),
        sales=("ACQUISTO", "PAGAMENTO"),
        card_labels=("Carta", "PAN", "CARTA N."),
        masks=("short", "*", "* group"),
        amounts=("IMPORTO", "Importo"),
        terminals=("TML", "TERMINALE", "TERMINAL ID"),
        auths=("COD.AUT.", "AUT.", "Cod. Autorizzazione"),
        traces=(("ESERC.", 8), ("STAN", 6), ("OPER.", 6)),
        approvals=("TRANSAZIONE ESEGUITA", "OPERAZIONE ESEGUITA"),
        contactless=("CONTACTLESS", "SENZA CONTATTO"),
        keep=("CONSERVARE LO SCONTRINO", "GRAZIE"),
    ),
    "pt": _Country(
        code="pt",
        sep=",",
        group=" ",
        forms=("{a} €", "{a} EUR", "{a}"),
        receipt_range=(4, 180),
        slip_range=(3, 400),
        cheapest=45,
        systems=(0.5, 0.43, 0, 0.03, 0.04, 0, 0, 0),
        domestic="",
        merchants=(
            "PINGO DOCE",
            "CONTINENTE MODELO",
            "MINIPREÇO",
            "Pastelaria Conceição",
            "Farmácia Avenida",
            "Padaria Portuguesa",
            "LIDL & Cia",
        ),
        streets=(
            "Rua Augusta {n}, 1100-053 Lisboa",
            "Av. da Liberdade {n}, Lisboa",
            "Rua de Santa Catarina {n}, Porto",
            "Rua Ferreira Borges {n}, Coimbra",
        ),
        ids=("NIF {9}", "Contribuinte {9}", "Tel. 21 {3} {4}"),
        headings=("FATURA SIMPLIFICADA", "Fatura-Recibo", ""),
        goods=(
            ("PÃO DE FORMA", 1.29, "A"),
            ("LEITE MEIO GORDO", 0.79, "A"),
            ("ARROZ CAROLINO 1KG", 1.39, "A"),
            ("AZEITE VIRGEM EXTRA", 6.99, "A"),
            ("ÁGUA 1,5L", 0.35, "A"),
            ("QUEIJO FLAMENGO", 2.49, "A"),
            ("PASTEL DE NATA", 1.1, "B"),
            ("CAFÉ", 0.8, "B"),
            ("VINHO VERDE", 3.99, "B"),
            ("DETERGENTE", 4.99, "C"),
            ("BOLACHAS MARIA", 1.19, "C"),
            ("CERVEJA 6X33", 4.49, "C"),
        ),
        rates={"A": _D(6), "B": _D(13), "C": _D(23)},
        item_tax="letter",
        qty=("{q} x {p}", "{q} UN x {p}"),
        subtotals=("SUBTOTAL", "Subtotal"),
        totals=("TOTAL A PAGAR", "TOTAL", "Total (EUR)", "TOTAL DOCUMENTO"),
        card_payments=("Cartão", "CARTÃO DE DÉBITO", "Multibanco", "CARTÃO"),
        cash=(("NUMERÁRIO", "TROCO"), ("Dinheiro", "Troco")),
        vat_columns=("Taxa", "Base", "IVA", "Total"),
        vat_sums=("Total IVA", "IVA incluído"),
        # Portuguese invoices often print the date ISO-style (2026-03-15): unambiguous, and what shops do.
        dates=("{dd}-{mm}-{yyyy}", "{dd}/{mm}/{yyyy}", "{dd}/{mm}/{yy}", "{yyyy}-{mm}-{dd}"),
        months=(
            "janeiro",
            "fevereiro",
            "março",
            "abril",
            "maio",
            "junho",
            "julho",
            "agosto",
            "setembro",
            "outubro",
            "novembro",
            "dezembro",
        ),
        when=(("", ""), ("Data:", "Hora:"), ("DATA", "HORA")),
        tills=("FS {k}/{n}", "ATCUD: JJ{b}K7F-{n}", "Caixa {k} Talão {n}"),
        thanks=("OBRIGADO PELA SUA VISITA", "Obrigado e volte sempre"),
        loyalty=("Cartão Continente {m}", "Poupa Mais {m}"),
        copies=("VIA CLIENTE", "DUPLICADO CLIENTE", "VIA COMERCIANTE"),
        sales=("COMPRA", "PAGAMENTO"),
        card_labels=("Cartão", "Nº Cartão", "PAN"),
        masks=("*", "* group", "bin"),
        amounts=("MONTANTE", "Valor"),
        terminals=("TERMINAL", "ID Terminal"),
        auths=("AUT:", "Cód. Autorização"),
        traces=(("Nº Transação", 6), ("Estab.", 7)),
        approvals=("TRANSAÇÃO APROVADA", "APROVADA"),
        contactless=("CONTACTLESS", "sem contacto"),
        keep=("GUARDE ESTE TALÃO", "Obrigado"),
    ),
    "pl": _Country(
        code="pl",
        sep=",",
        group=" ",
        forms=("{a}", "{a} zł", "{a} PLN"),
        receipt_range=(12, 600),
        slip_range=(10, 1500),
        cheapest=99,
        systems=(0.55, 0.43, 0, 0, 0.02, 0, 0, 0),
        domestic="",
        merchants=(
            "BIEDRONKA",
            "ŻABKA Polska sp. z o.o.",
            "LIDL SP. Z O.O. SP. K.",
            "Piekarnia Łódzka",
            "ROSSMANN SDP",
            "Carrefour Polska",
            "Apteka Słoneczna",
        ),
        streets=(
            "ul. Marszałkowska {n}, 00-624 Warszawa",
            "ul. Piotrkowska {n}, 90-001 Łódź",
            "ul. Floriańska {n}, 31-019 Kraków",
            "ul. Świętojańska {n}, 81-368 Gdynia",
        ),
        ids=("NIP {3}-{3}-{2}-{2}", "NIP {10}"),
        headings=("PARAGON FISKALNY",),
        goods=(
            ("Chleb żytni", 4.99, "C"),
            ("Mleko 2% 1l", 3.49, "C"),
            ("Masło extra", 7.99, "C"),
            ("Jabłka luz", 3.99, "C"),
            ("Kiełbasa śląska", 12.99, "C"),
            ("Pączek", 2.49, "C"),
            ("Ser żółty", 8.99, "C"),
            ("Ziemniaki", 2.99, "C"),
            ("Woda mineralna 1,5l", 1.99, "B"),
            ("Kawa mielona", 19.99, "B"),
            ("Piwo Żywiec 0,5l", 4.29, "A"),
            ("Płyn do naczyń", 6.49, "A"),
            ("Chusteczki", 3.99, "A"),
        ),
        rates={"A": _D(23), "B": _D(8), "C": _D(5)},
        item_tax="glued",
        qty=("{q} x{p}", "{q} szt. x {p}"),
        subtotals=(),
        totals=("SUMA PLN", "SUMA PLN", "SUMA", "Razem"),
        card_payments=("Karta płatnicza", "KARTA", "Karta"),
        cash=(("Gotówka", "Reszta"), ("GOTÓWKA", "RESZTA")),
        vat_columns=("PTU", "Netto", "PTU", "Brutto"),
        vat_sums=("SUMA PTU", "Suma PTU"),
        # A Polish fiscal printer prints the date ISO-style (2026-03-15); people write it day first.
        dates=(
            "{yyyy}-{mm}-{dd}",
            "{yyyy}-{mm}-{dd}",
            "{dd}.{mm}.{yyyy}",
            "{dd}-{mm}-{yyyy}",
            "{d} {month} {yyyy}",
        ),
        months=(
            "stycznia",
            "lutego",
            "marca",
            "kwietnia",
            "maja",
            "czerwca",
            "lipca",
            "sierpnia",
            "września",
            "października",
            "listopada",
            "grudnia",
        ),
        when=(("", ""), ("Data:", "Godz.:")),
        tills=("#Kasa {k}  Kasjer nr {b}", "Nr sys. {n}", "{n} #{k} Kasjer {b}"),
        thanks=("DZIĘKUJEMY ZA ZAKUPY", "Zapraszamy ponownie"),
        loyalty=("Karta Moja Biedronka {m}", "Karta lojalnościowa {m}"),
        copies=("POTWIERDZENIE DLA KLIENTA", "KOPIA KLIENTA", "KOPIA SPRZEDAWCY"),
        sales=("SPRZEDAŻ", "PŁATNOŚĆ"),
        card_labels=("Karta", "Nr karty", "KARTA"),
        masks=("*", "* group", "X"),
        amounts=("KWOTA", "Kwota"),
        terminals=("TID", "Terminal"),
        auths=("Kod autoryzacji", "Nr autoryzacji", "AUT."),
        traces=(("Nr transakcji", 6), ("MID", 9)),
        approvals=("TRANSAKCJA ZAAKCEPTOWANA", "ZAAKCEPTOWANO"),
        contactless=("ZBLIŻENIOWA", "zbliżeniowo"),
        keep=("PROSZĘ ZACHOWAĆ POTWIERDZENIE", "DZIĘKUJEMY"),
    ),
    "tr": _Country(
        code="tr",
        sep=",",
        group=".",
        forms=("*{a}", "{a} TL", "*{a}"),
        receipt_range=(60, 5000),
        slip_range=(40, 15000),
        cheapest=500,
        systems=(0.45, 0.5, 0, 0, 0.05, 0, 0, 0),
        domestic="",
        merchants=(
            "MİGROS TİCARET A.Ş.",
            "BİM BİRLEŞİK MAĞAZALAR",
            "A101 YENİ MAĞAZACILIK",
            "ŞOK MARKETLER",
            "Fırın Çağdaş",
            "CarrefourSA",
            "Eczane Güneş",
        ),
        streets=(
            "İstiklal Cad. No:{n} Beyoğlu/İSTANBUL",
            "Atatürk Bulvarı No:{n} Çankaya/ANKARA",
            "Kıbrıs Şehitleri Cad. No:{n} Alsancak/İZMİR",
            "Bağdat Cad. No:{n} Kadıköy/İSTANBUL",
        ),
        ids=("V.D. KADIKÖY V.NO: {10}", "VKN {10}", "MERSİS NO {16}"),
        headings=("", "BİLGİ FİŞİ"),
        goods=(
            ("EKMEK", 10.0, "A"),
            ("SÜT 1L", 32.5, "A"),
            ("BEYAZ PEYNİR", 145.0, "A"),
            ("DOMATES KG", 39.9, "A"),
            ("ÇAY 1KG", 185.0, "A"),
            ("SİMİT", 15.0, "A"),
            ("YUMURTA 10LU", 65.0, "A"),
            ("MAKARNA", 22.5, "A"),
            ("ÇİKOLATA", 35.0, "B"),
            ("KAHVE", 95.0, "B"),
            ("DETERJAN", 210.0, "C"),
            ("ŞAMPUAN", 120.0, "C"),
            ("DİŞ MACUNU", 75.0, "C"),
        ),
        rates={"A": _D(1), "B": _D(10), "C": _D(20)},
        item_tax="rate",
        qty=("{q} AD X {p}", "{q} x {p}"),
        subtotals=("ARA TOPLAM",),
        totals=("TOPLAM", "TOPLAM", "GENEL TOPLAM"),
        card_payments=("KREDİ KARTI", "Kredi Kartı", "BANKA KARTI"),
        cash=(("NAKİT", "PARA ÜSTÜ"), ("NAKİT", "PARA ÜSTÜ")),
        vat_columns=("KDV", "MATRAH", "KDV", "TUTAR"),
        vat_sums=("TOPKDV", "TOPLAM KDV"),
        dates=(
            "{dd}.{mm}.{yyyy}",
            "{dd}.{mm}.{yyyy}",
            "{dd}/{mm}/{yyyy}",
            "{dd}.{mm}.{yy}",
            "{d} {month} {yyyy}",
        ),
        months=(
            "Ocak",
            "Şubat",
            "Mart",
            "Nisan",
            "Mayıs",
            "Haziran",
            "Temmuz",
            "Ağustos",
            "Eylül",
            "Ekim",
            "Kasım",
            "Aralık",
        ),
        when=(("TARİH :", "SAAT :"), ("TARİH:", "SAAT:"), ("", "")),
        tills=("FİŞ NO: {n}", "Z NO: {k}  EKÜ NO: {b}", "FİŞ NO:{n}  KASİYER:{b}"),
        thanks=("TEŞEKKÜR EDERİZ", "YİNE BEKLERİZ"),
        loyalty=("Money Kart {m}", "Sadakat Kart {m}"),
        copies=("MÜŞTERİ NÜSHASI", "İŞYERİ NÜSHASI"),
        sales=("SATIŞ", "SATIŞ İŞLEMİ"),
        card_labels=("KART NO:", "Kart", ""),
        masks=("short", "bin", "bin group"),
        amounts=("TUTAR", "TUTAR:"),
        terminals=("TERMİNAL NO", "TERM ID"),
        auths=("ONAY KODU", "PROVİZYON NO", "ONAY KODU:"),
        traces=(("İŞYERİ NO", 10), ("BATCH NO", 3), ("STAN", 6)),
        approvals=("İŞLEM ONAYLANDI", "ONAYLANDI"),
        contactless=("TEMASSIZ", "TEMASSIZ İŞLEM"),
        keep=("BU BELGEYİ SAKLAYINIZ", "İYİ GÜNLER"),
    ),
    "gb": _Country(
        code="gb",
        sep=".",
        group=",",
        forms=("£{a}", "£{a}", "{a}", "GBP {a}"),
        receipt_range=(3, 150),
        slip_range=(2, 400),
        cheapest=35,
        systems=(0.58, 0.32, 0, 0.02, 0.08, 0, 0, 0),
        domestic="",
        merchants=(
            "TESCO STORES LTD",
            "SAINSBURY'S",
            "ASDA SUPERSTORE",
            "Boots UK",
            "WAITROSE & PARTNERS",
            "Co-op Food",
            "Pret A Manger",
            "M&S Simply Food",
        ),
        streets=(
            "{n} High Street, Manchester M1 1AA",
            "{n} Oxford Street, London W1D 1BS",
            "{n} Princes Street, Edinburgh EH2 2ER",
            "{n} Bold Street, Liverpool L1 4JA",
        ),
        ids=("VAT No: GB {3} {4} {2}", "Tel: 0{3} {3} {4}"),
        headings=("",),
        goods=(
            ("SEMI SKIMMED MILK 2PT", 1.35, "Z"),
            ("WHITE BLOOMER", 1.2, "Z"),
            ("BANANAS LOOSE", 0.9, "Z"),
            ("CHEDDAR 400G", 3.5, "Z"),
            ("BRITISH BACON", 2.75, "Z"),
            ("TEA BAGS 80S", 2.4, "Z"),
            ("FREE RANGE EGGS 6", 1.85, "Z"),
            ("CRISPS MULTIPACK", 2.25, "A"),
            ("CHOCOLATE BAR", 0.85, "A"),
            ("SPARKLING WATER", 0.65, "A"),
            ("ORANGE JUICE 1L", 1.95, "A"),
            ("SHAMPOO", 3.5, "A"),
            ("WASHING UP LIQUID", 1.25, "A"),
        ),
        rates={"A": _D(20), "Z": _D(0)},
        item_tax="letter",
        qty=("{q} @ {p}", "{q} x {p}"),
        subtotals=("SUBTOTAL", "SUB-TOTAL"),
        totals=("TOTAL", "TOTAL", "BALANCE DUE", "TOTAL TO PAY"),
        card_payments=("CARD", "Card payment", "CARD PAYMENT"),
        cash=(("CASH", "CHANGE"), ("CASH TENDERED", "CHANGE DUE")),
        vat_columns=("VAT", "NET", "VAT", "TOTAL"),
        vat_sums=("VAT INCLUDED", "Total VAT"),
        dates=(
            "{dd}/{mm}/{yyyy}",
            "{dd}/{mm}/{yyyy}",
            "{dd}/{mm}/{yy}",
            "{dd} {mon} {yyyy}",
            "{dd}-{mon}-{yy}",
        ),
        months=(
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        when=(("", ""), ("DATE", "TIME"), ("Date:", "Time:")),
        tills=("ST:{b} OP:{k} TE:{k} TR:{n}", "Till {k}  Trans {n}", "Receipt No. {n}"),
        thanks=("THANK YOU FOR SHOPPING WITH US", "Thank you, see you soon"),
        loyalty=("Clubcard {m}", "Nectar card {m}"),
        copies=("CUSTOMER COPY", "MERCHANT COPY", "** CARDHOLDER COPY **"),
        sales=("SALE", "PURCHASE"),
        card_labels=("", "Card:", "PAN"),
        masks=("*", "* group", "short"),
        amounts=("AMOUNT", "TOTAL"),
        terminals=("TID:",),
        auths=("AUTH CODE:", "AUTH:"),
        traces=(("PAN SEQ", 2), ("TXN", 6)),
        approvals=("AUTHORISED", "APPROVED", "PIN VERIFIED"),
        contactless=("CONTACTLESS", "Contactless"),
        keep=("PLEASE RETAIN FOR YOUR RECORDS", "PLEASE KEEP THIS RECEIPT"),
    ),
}


def _european_truth(rng: random.Random, kind: str, country: _Country, day: date, at: time) -> DocumentTruth:
    """A European slip or receipt; six receipts in ten show the card that paid, half of those with the
    terminal's section (its id and authorisation code printed, and so in the truth)."""
    merchant = _fill(rng, rng.choice(country.merchants), 999)
    system = rng.choices((*PAYMENT_SYSTEMS, None), weights=country.systems)[0]
    last4 = _digits(rng, 4)
    auth = "".join(rng.choice("0123456789" if rng.random() < 0.7 else _AUTH_ALPHABET) for _ in range(6))
    terminal = str(rng.randint(10_000_000, 99_999_999))
    if country.code == "gb":  # a UK terminal masks its id on the receipt (TID: ****6633)
        terminal = None
    if kind == "slip":
        amount = _random_amount(rng, *country.slip_range)
        rrn = _digits(rng, 12) if country.code == "tr" else None
        return DocumentTruth(
            "slip", country.code, amount, day, at, last4, system, merchant, rrn, auth, terminal
        )
    amount = _random_amount(rng, *country.receipt_range, 0)
    if rng.random() >= 0.6:  # cash, or a card whose number is not printed
        return DocumentTruth("receipt", country.code, amount, day, at, None, None, merchant, None, None, None)
    if rng.random() < 0.5:  # only a payment line and the card: no terminal section
        auth, terminal = None, None
    return DocumentTruth(
        "receipt", country.code, amount, day, at, last4, system, merchant, None, auth, terminal
    )


@dataclass(frozen=True)
class VatRow:
    """One line of a receipt's VAT table: ``net + tax == gross``, the tax rounded half up from the gross."""

    tax_class: str
    rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


def vat_breakdown(items: list[ReceiptItem], rates: dict[str, Decimal]) -> list[VatRow]:
    """The VAT table of a receipt whose prices include VAT: one row per class present, the grosses adding up
    to the total."""
    rows = []
    for tax_class, rate in rates.items():
        gross = sum((item.total for item in items if item.tax == tax_class), Decimal("0.00"))
        if not gross:
            continue
        tax = (gross * rate / (100 + rate)).quantize(_CENT, rounding=ROUND_HALF_UP)
        rows.append(VatRow(tax_class, rate, gross - tax, tax, gross))
    return rows


def european_money(locale: str, amount: Decimal, *, grouped: bool = False) -> str:
    """``1234.5`` as the country prints it: ``1234,50`` / ``1.234,50`` (de), ``1 234,50`` (fr), ``1,234.50``."""
    country = _COUNTRIES[locale]
    return _money(amount, sep=country.sep, group=country.group if grouped else "")


def _numbered(rng: random.Random, template: str) -> str:
    """``"NIP {3}-{3}"`` with random digits of those lengths; ``{n}`` ``{k}`` ``{b}`` a receipt, till, cashier."""
    fills = {"n": str(rng.randint(1, 9999)), "k": str(rng.randint(1, 12)), "b": str(rng.randint(1, 99))}
    out, rest = "", template
    while "{" in rest:
        head, _, tail = rest.partition("{")
        key, _, rest = tail.partition("}")
        out += head + (fills[key] if key in fills else _digits(rng, int(key)))
    return out + rest


def _european_date(rng: random.Random, country: _Country, day: date | None) -> str:
    if day is None:
        return ""
    month = country.months[day.month - 1]
    parts = {
        "dd": f"{day.day:02d}",
        "d": str(day.day),
        "mm": f"{day.month:02d}",
        "yyyy": str(day.year),
        "yy": f"{day.year % 100:02d}",
        "month": month,
        "mon": month[:3],
    }
    return rng.choice(country.dates).format(**parts)


def _european_mask(rng: random.Random, country: _Country, last4: str, system: str | None) -> str:
    """The card number as the country's terminals mask it: ``############1234``, ``**** 1234``, ..."""
    length = 15 if system == "AMEX" else 16
    style = rng.choice(country.masks)
    if style in ("#", "X", "*", "x"):
        return style * (length - 4) + last4
    if style in ("* group", "X group"):
        char = style[0]
        return (
            " ".join([char * 4] * 3) + f" {last4}" if length == 16 else f"{char * 4} {char * 6} {char}{last4}"
        )
    if style == "short":
        return rng.choice(("**** ", "****")) + last4
    bin6 = rng.choice(_BINS.get(system or "", _BINS["VISA"]))
    if style == "bin group":
        return f"{bin6[:4]} {bin6[4:]}** **** {last4}"
    return bin6 + "*" * (length - 10) + last4


def _european_system(rng: random.Random, country: _Country, system: str | None) -> str:
    if system is None:
        return rng.choice((country.domestic, country.domestic.upper())) if country.code == "de" else "CB"
    if country.code == "gb":
        names = {
            "VISA": ("VISA DEBIT", "VISA CREDIT", "VISA"),
            "MASTERCARD": ("MASTERCARD", "DEBIT MASTERCARD", "Mastercard"),
            "AMEX": ("AMERICAN EXPRESS", "AMEX"),
            "MAESTRO": ("MAESTRO",),
        }
        return rng.choice(names.get(system, (system,)))
    return _system_name(rng, system, "en")


def _rate_text(country: _Country, rate: Decimal) -> str:
    number = str(int(rate)) if rate == rate.to_integral() else str(rate).replace(".", country.sep)
    return f"%{number}" if country.code == "tr" else f"{number}%"


def _european_document(t: DocumentTruth, rng: random.Random) -> list[PrintedLine]:
    country = _COUNTRIES[t.locale or ""]
    if t.amount is None:
        raise ValueError("a document is rendered from its total: the truth needs an amount")
    lay = _Layout(rng.randint(34, 44) if t.kind == "receipt" else rng.randint(30, 36))
    grouped = rng.random() < 0.4
    form = rng.choice(country.forms)
    ds, ts = _european_date(rng, country, t.date), _clock(rng, t.time)

    def money(value: Decimal, *, currency: bool = False) -> str:
        text = _money(value, sep=country.sep, group=country.group if grouped else "")
        return form.format(a=text) if currency else (f"*{text}" if country.code == "tr" else text)

    lay.add(t.merchant or "", "center", bold=True)
    lay.add(_fill(rng, rng.choice(country.streets), 150), "center")
    if rng.random() < 0.7:
        lay.add(_numbered(rng, rng.choice(country.ids)), "center")
    if t.kind == "slip":
        lay.rule(rng.choice("-=*"))
        _terminal_section(lay, t, rng, country, money, ds, ts)
        return lay.lines
    _european_receipt(lay, t, rng, country, money, ds, ts)
    return lay.lines


def _european_when(lay: _Layout, rng: random.Random, country: _Country, ds: str, ts: str) -> None:
    date_label, time_label = rng.choice(country.when)
    day, clock = f"{date_label} {ds}".strip(), f"{time_label} {ts}".strip()
    if len(day) + len(clock) + 1 <= lay.cols and rng.random() < 0.5:
        lay.add(f"{day} {clock}")
    else:
        lay.pair(day, clock)


def _european_receipt(
    lay: _Layout,
    t: DocumentTruth,
    rng: random.Random,
    country: _Country,
    money,
    ds: str,
    ts: str,
) -> None:
    """The receipt after its header: positions, total, payment, VAT, till and date, the terminal's section."""
    amount = t.amount or Decimal(0)
    items = receipt_items(amount, rng, locale=country.code, count=rng.randint(3, 14))
    heading = rng.choice(country.headings)
    if heading:
        lay.add(heading, "center", bold=True)
    date_on_top = rng.random() < (0.6 if country.code in ("tr", "it", "pl", "fr") else 0.3)
    if date_on_top:
        _european_when(lay, rng, country, ds, ts)
        if rng.random() < 0.5:
            lay.add(_numbered(rng, rng.choice(country.tills)))
    lay.rule(rng.choice("-="))
    _european_items(lay, items, rng, country, money)
    lay.rule(rng.choice("-="))
    vat_at = rng.choice(("total", "payment", "end"))
    if country.subtotals and rng.random() < 0.3:
        lay.pair(rng.choice(country.subtotals), money(amount))
    if country.code == "pl":  # the PTU block comes before the total on a Polish fiscal receipt
        _european_vat(lay, items, rng, country, money)
    total_label = rng.choice(country.totals)
    named = any(code in total_label for code in ("EUR", "PLN", "€"))  # SUMA PLN 12,34: no second currency
    scale = rng.choice((1.0, 1.25, 1.3))
    lay.pair(total_label, money(amount, currency=not named), bold=True, scale=scale)
    if country.code == "de" and total_label == "Summe" and rng.random() < 0.4:
        lay.pair("Zu zahlen", money(amount, currency=True))
    if vat_at == "total" and country.code != "pl":
        _european_vat(lay, items, rng, country, money)
    if t.card_last4:
        lay.pair(rng.choice(country.card_payments), money(amount, currency=rng.random() < 0.5))
        if t.auth_code is None:  # no terminal section: the card is printed with the payment
            _card_line(lay, t, rng, country)
    elif rng.random() < 0.35:  # paid by card, the number not printed
        lay.pair(rng.choice(country.card_payments), money(amount, currency=rng.random() < 0.5))
    else:
        given_label, change_label = rng.choice(country.cash)
        given = _tendered(amount, rng)
        lay.pair(given_label, money(given, currency=rng.random() < 0.5))
        lay.pair(change_label, money(given - amount, currency=rng.random() < 0.5))
    if country.code == "it":
        lay.pair(rng.choice(("IMPORTO PAGATO", "Importo pagato")), money(amount))
    if vat_at == "payment" and country.code != "pl":
        _european_vat(lay, items, rng, country, money)
    if rng.random() < 0.35:
        lay.add(rng.choice(country.loyalty).format(m=_decoy_mask(rng, t.card_last4)))
    if not date_on_top:
        lay.add(_numbered(rng, rng.choice(country.tills)))
        _european_when(lay, rng, country, ds, ts)
    if vat_at == "end" and country.code != "pl":
        _european_vat(lay, items, rng, country, money)
    lay.add(rng.choice(country.thanks), "center")
    if t.auth_code is not None:  # the terminal's section, printed under the receipt by the same printer
        lay.add("")
        lay.rule(rng.choice(("-", "=", "*", " -")) if rng.random() < 0.8 else "~")
        _terminal_section(lay, t, rng, country, money, ds, ts)


def _decoy_mask(rng: random.Random, last4: str | None) -> str:
    """A masked loyalty card number whose tail is not the payment card's."""
    tail = _digits(rng, 4)
    while tail == last4:
        tail = _digits(rng, 4)
    return rng.choice(("****", "**** **** ", "XXXXXXXXX", "*********")) + tail


def _card_line(lay: _Layout, t: DocumentTruth, rng: random.Random, country: _Country) -> None:
    """The payment card: its system and masked number (``VISA ############1234``, ``Card ending 1234``)."""
    system = _european_system(rng, country, t.payment_system)
    last4 = t.card_last4 or ""
    if country.code == "gb" and rng.random() < 0.4:
        lay.add(system)
        if rng.random() < 0.5:
            lay.add(f"Card ending {last4}")
        else:  # on two lines where too long: a mask is never split from its tail
            lay.pair("Card number:", _european_mask(rng, country, last4, t.payment_system))
        return
    mask = _european_mask(rng, country, last4, t.payment_system)
    label = rng.choice(country.card_labels)
    if rng.random() < 0.5 and len(system) + len(mask) + 1 <= lay.cols:
        lay.add(f"{system} {mask}")
    else:
        lay.add(system)
        lay.pair(label, mask)  # an empty label prints the mask alone, right-aligned


def _european_items(
    lay: _Layout, items: list[ReceiptItem], rng: random.Random, country: _Country, money
) -> None:
    qty_form = rng.choice(country.qty)
    tax_style = country.item_tax if rng.random() < 0.85 else "none"
    for item in items:
        right = money(item.total)
        rate = _rate_text(country, country.rates[item.tax]) if item.tax else ""
        if tax_style == "letter":
            right = f"{right} {item.tax}"
        elif tax_style == "glued":
            right = f"{right}{item.tax}"
        elif tax_style == "rate":
            right = f"{rate:>4} {right:>9}"
        if item.qty > 1:
            quantity = qty_form.format(q=item.qty, p=_money(item.price, sep=country.sep))
            if country.code == "pl":  # Chleb żytni   2 x4,99   9,98C
                lay.pair(
                    item.name[: max(8, lay.cols - len(quantity) - len(right) - 3)], f"{quantity} {right}"
                )
                continue
            lay.pair(item.name[: lay.cols - len(right) - 1], right)
            lay.add(f"  {quantity}")
            continue
        lay.pair(item.name[: lay.cols - len(right) - 1], right)


def _european_vat(
    lay: _Layout, items: list[ReceiptItem], rng: random.Random, country: _Country, money
) -> None:
    """The VAT as the country prints it: a table (rate, net, tax, gross), or one line of the tax included."""
    rows = vat_breakdown(items, country.rates)
    total_tax = sum((row.tax for row in rows), Decimal("0.00"))
    if country.code == "pl":
        for row in rows:
            lay.pair(f"SPRZEDAŻ OPODATKOWANA {row.tax_class}", money(row.gross))
        for row in rows:
            lay.pair(f"PTU {row.tax_class} {_rate_text(country, row.rate)}", money(row.tax))
        lay.pair(rng.choice(country.vat_sums), money(total_tax))
        return
    if country.code == "tr":
        for row in rows:
            lay.pair(f"KDV {_rate_text(country, row.rate)}", money(row.tax))
        lay.pair(rng.choice(country.vat_sums), money(total_tax))
        return
    if rng.random() < 0.3 or (country.code == "it" and rng.random() < 0.6):
        lay.pair(rng.choice(country.vat_sums), money(total_tax))
        return
    rate_head, net_head, tax_head, gross_head = country.vat_columns
    cells = [[rate_head, net_head, tax_head, gross_head]]
    for row in rows:
        label = (
            f"{row.tax_class} {_rate_text(country, row.rate)}"
            if country.item_tax != "rate"
            else _rate_text(country, row.rate)
        )
        cells.append([label, money(row.net), money(row.tax), money(row.gross)])
    if len(rows) > 1 and rng.random() < 0.5:
        cells.append(
            [
                "",
                money(sum((r.net for r in rows), Decimal(0))),
                money(total_tax),
                money(sum((r.gross for r in rows), Decimal(0))),
            ]
        )
    first = max(len(cell[0]) for cell in cells)
    rest = max(len(text) for cell in cells for text in cell[1:])
    width = max(rest + 1, (lay.cols - first) // 3)
    for cell in cells:  # kept on one line even where wider than the paper: a wrapped table is no table
        lay.lines.append(PrintedLine(cell[0].ljust(first) + "".join(text.rjust(width) for text in cell[1:])))


def _terminal_section(
    lay: _Layout,
    t: DocumentTruth,
    rng: random.Random,
    country: _Country,
    money,
    ds: str,
    ts: str,
) -> None:
    """What the card terminal prints: a copy heading, its ids, the date, the card, the amount, the approval."""
    lay.paired = rng.random() < 0.7
    kv = lay.kv
    lay.add(rng.choice(country.copies), "center", bold=True)
    lay.add(rng.choice(country.sales), "center", bold=True)
    masked_ids_after = country.code == "gb" and rng.random() < 0.5
    if t.terminal_id:
        kv(rng.choice(country.terminals), t.terminal_id)
    elif country.code == "gb" and not masked_ids_after:
        _masked_ids(lay, rng)
    for label, digits in rng.sample(country.traces, rng.randint(1, len(country.traces))):
        kv(label, _digits(rng, digits))
    if t.kind == "slip" or rng.random() < 0.8:  # under a receipt, the receipt's own date may be the only one
        _european_when(lay, rng, country, ds, ts)
    _card_line(lay, t, rng, country)
    if masked_ids_after:
        _masked_ids(lay, rng)
    if rng.random() < 0.5:
        lay.add(rng.choice(country.contactless))
    if rng.random() < 0.4:
        kv("AID", rng.choice(("A0000000031010", "A0000000041010", "A0000000043060", "A0000000421010")))
    label = rng.choice(country.amounts)
    amount_text = money(t.amount or Decimal(0), currency=True)
    if country.code == "de" and rng.random() < 0.5 and "EUR" not in amount_text:
        label, amount_text = f"{label} EUR", money(t.amount or Decimal(0))
    kv(label, amount_text, bold=True, scale=rng.choice((1.0, 1.0, 1.25)))
    if t.auth_code:
        kv(rng.choice(country.auths), t.auth_code)
    if t.rrn:
        kv("RRN", t.rrn)
    lay.add(rng.choice(country.approvals), "center", bold=True)
    if rng.random() < 0.6:
        lay.add(rng.choice(country.keep), "center")


def _masked_ids(lay: _Layout, rng: random.Random) -> None:
    """A UK terminal's ids, masked like a card number (TID: ****6633): decoys of the card's tail."""
    lay.kv("TID:", "****" + _digits(rng, 4))
    lay.kv("MID:", "****" + _digits(rng, 4))


def document_lines(truth: DocumentTruth, rng: random.Random) -> list[PrintedLine]:
    """The printed text of a document (empty for "other").

    ``render_document`` draws these from the same ``rng`` first, so with two equal generators
    ``document_lines`` returns exactly the text on the rendered image: a parser can be tested without OCR.
    """
    if truth.kind == "other":
        return []
    if truth.locale in _COUNTRIES:
        return _european_document(truth, rng)
    if truth.kind == "receipt":
        return _receipt(truth, rng)
    return _slip_en(truth, rng) if truth.locale == "en" else _slip_ru(truth, rng)


# --------------------------------------------------------------------------------------------- rendering


@lru_cache(maxsize=64)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
    path = _FONT_DIR / name
    return ImageFont.truetype(str(path) if path.exists() else name, size)


_PAPERS = (
    (255, 255, 255),
    (250, 250, 248),
    (246, 246, 244),
    (250, 248, 238),
    (248, 245, 232),
    (242, 242, 240),
)


def render_document(truth: DocumentTruth, rng: random.Random) -> Image.Image:
    """A clean, upright scan of the document on its paper (a 640x480 picture for "other")."""
    if truth.kind == "other":
        return _render_other(rng)
    image = render_lines(document_lines(truth, rng), rng, slip=truth.kind == "slip")
    if truth.fiscal is not None:
        image = _print_fiscal_qr(image, truth, rng)
    return image


def _qr_modules(text: str) -> np.ndarray:
    """The QR's modules, True for dark, without a quiet zone. OpenCV's encoder: no extra dependency."""
    params = cv2.QRCodeEncoder_Params()
    params.correction_level = cv2.QRCODE_ENCODER_CORRECT_LEVEL_M  # up to 15% of the code lost still reads
    code = cv2.QRCodeEncoder.create(params).encode(text)
    dark = code < 128
    rows, cols = np.flatnonzero(dark.any(axis=1)), np.flatnonzero(dark.any(axis=0))
    return dark[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _print_fiscal_qr(image: Image.Image, truth: DocumentTruth, rng: random.Random) -> Image.Image:
    """The receipt with its fiscal QR printed under the text, a third of the paper wide, and spoiled as the
    truth says: a thumb over a corner, a smudge across it, or the paper torn through it."""
    modules = _qr_modules(fiscal_payload(truth))  # refuses a truth without fiscal ids
    dot = max(3, round(image.width * rng.uniform(0.3, 0.42) / len(modules)))
    ink = rng.randint(0, 60)
    paper = image.getpixel((1, 1))
    code = np.where(np.kron(modules, np.ones((dot, dot), dtype=bool))[..., None], ink, paper).astype(np.uint8)
    side = code.shape[0]
    below = rng.randint(30, 70)
    sheet = Image.new("RGB", (image.width, image.height + side + below), paper)
    sheet.paste(image, (0, 0))
    left, top = (image.width - side) // 2, image.height
    damage = truth.fiscal.damage if truth.fiscal is not None else None
    if damage == "smudged":  # rubbed along one direction, wider than a module, and faded
        length = dot * rng.randint(2, 4)
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1 / length
        kernel = cv2.warpAffine(
            kernel, cv2.getRotationMatrix2D(((length - 1) / 2,) * 2, rng.uniform(0, 180), 1), (length, length)
        )
        code = cv2.filter2D(
            code.astype(np.float32), -1, kernel / max(kernel.sum(), 1e-6), borderType=cv2.BORDER_REPLICATE
        )
        fade = rng.uniform(0.2, 0.5)
        code = np.clip(code + (np.array(paper, np.float32) - code) * fade, 0, 255).astype(np.uint8)
    sheet.paste(Image.fromarray(code), (left, top))
    if damage == "covered":  # a thumb over one of the finder corners, and more
        corner = rng.choice(((0, 0), (1, 0), (0, 1)))
        cx, cy = left + corner[0] * side, top + corner[1] * side
        rx, ry = side * rng.uniform(0.45, 0.6), side * rng.uniform(0.35, 0.5)
        skin = rng.choice(((224, 172, 140), (200, 150, 115), (240, 200, 175), (160, 110, 80)))
        ImageDraw.Draw(sheet).ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=skin)
    if damage == "cut":  # the paper ends inside the code
        sheet = sheet.crop((0, 0, sheet.width, top + round(side * rng.uniform(0.35, 0.7))))
    return sheet


def render_lines(lines: list[PrintedLine], rng: random.Random, *, slip: bool = True) -> Image.Image:
    """Printed lines as a clean, upright scan on paper: how `render_document` draws a document's text, open to
    tests that need lines no generated document prints (a full card number)."""
    cols = max(math.ceil(len(line.text) * line.scale) for line in lines)
    margin = rng.randint(16, 28)
    target = rng.randint(400, 480) if slip else rng.randint(520, 600)
    size = max(20, min(26 if slip else 23, round((target - 2 * margin) / (cols * _MONO_ADVANCE))))
    spacing = rng.uniform(1.2, 1.45)
    text_width = max(_font(round(size * ln.scale), ln.bold).getlength(ln.text) for ln in lines)
    width = math.ceil(max(text_width, _font(size).getlength("0" * cols))) + 2 * margin
    heights = [round(size * line.scale * spacing) for line in lines]
    top, bottom = rng.randint(20, 50), rng.randint(30, 70)
    height = top + sum(heights) + bottom
    paper = rng.choice(_PAPERS)
    ink_level = rng.randint(0, 60)
    image = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(image)
    y = top
    for line, line_height in zip(lines, heights, strict=True):
        font = _font(round(size * line.scale), line.bold)
        length = font.getlength(line.text)
        if line.align == "center":
            x = (width - length) / 2
        elif line.align == "right":
            x = width - margin - length
        else:
            x = margin
        shade = max(0, min(90, ink_level + rng.randint(-8, 8)))  # thermal heads print a little unevenly
        draw.text((x, y + (line_height - font.size * 1.15) / 2), line.text, font=font, fill=(shade,) * 3)
        y += line_height
    return image


def _render_other(rng: random.Random) -> Image.Image:
    """A picture that is not a document: a landscape, or a cat-like blob; never any text."""
    nrng = np.random.default_rng(rng.getrandbits(64))
    if rng.random() < 0.65:
        return _landscape(rng, nrng)
    return _cat(rng, nrng)


def _ridge(nrng: np.random.Generator, width: int, base: float, amp: float, rough: float) -> np.ndarray:
    """A mountain skyline by midpoint displacement; ``base`` +- ``amp`` pixels."""
    n = 1 << math.ceil(math.log2(width - 1)) if width > 2 else 2
    n += 1
    arr = np.zeros(n)
    arr[[0, -1]] = nrng.uniform(-amp, amp, 2)
    step, scale = n - 1, amp
    while step > 1:
        half = step // 2
        mids = (arr[0:-1:step] + arr[step::step]) / 2
        arr[half::step] = mids + nrng.uniform(-scale, scale, mids.shape)
        scale *= rough
        step = half
    return base + np.interp(np.linspace(0, n - 1, width), np.arange(n), arr)


def _landscape(rng: random.Random, nrng: np.random.Generator) -> Image.Image:
    w, h = 640, 480
    skies = (
        ((60, 120, 200), (175, 212, 240)),
        ((70, 55, 120), (250, 165, 95)),
        ((135, 145, 158), (205, 208, 212)),
        ((25, 40, 90), (120, 110, 170)),
    )
    top, bottom = (np.array(c, dtype=np.float32) for c in rng.choice(skies))
    horizon = rng.uniform(0.45, 0.65) * h
    ys = np.arange(h, dtype=np.float32)[:, None, None]
    frac = np.clip(ys / horizon, 0, 1)
    img = np.broadcast_to(top * (1 - frac) + bottom * frac, (h, w, 3)).copy()
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    sx, sy, radius = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.6) * horizon, rng.uniform(18, 45)
    dist = np.hypot(xx - sx, yy - sy)
    sun = np.array(rng.choice(((255, 245, 200), (255, 210, 120), (255, 255, 235))), dtype=np.float32)
    glow = np.exp(-((dist / (radius * 3)) ** 2))[..., None] * 0.6
    img = img * (1 - glow) + sun * glow
    img[dist < radius] = sun
    for _ in range(rng.randint(0, 4)):  # soft clouds
        cx, cy = rng.uniform(0, w), rng.uniform(0, horizon * 0.7)
        rx, ry = rng.uniform(40, 120), rng.uniform(10, 30)
        cloud = np.exp(-(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2) * 2)[..., None] * 0.8
        img = img * (1 - cloud) + 245 * cloud
    layers = rng.randint(2, 3)
    rock = np.array(rng.choice(((90, 95, 110), (110, 95, 90), (70, 85, 80))), dtype=np.float32)
    for k in range(layers):
        haze = 0.6 * (layers - 1 - k) / max(1, layers - 1)
        colour = rock * (1 - haze) + bottom * haze
        ridge = _ridge(nrng, w, horizon - rng.uniform(40, 140) / (k + 1), rng.uniform(30, 90), 0.55)
        img[yy >= ridge[None, :]] = colour
    ground = np.array(rng.choice(((70, 130, 50), (95, 140, 60), (120, 130, 60), (60, 110, 70))), np.float32)
    hill = horizon + 10 + 25 * np.sin(np.linspace(0, rng.uniform(2, 6), w) + rng.uniform(0, 6))
    below = yy >= hill[None, :]
    blades = cv2.GaussianBlur(nrng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), sigmaX=0.6, sigmaY=3)
    depth = np.clip((yy - horizon) / (h - horizon), 0, 1)
    grass = ground * (0.85 + 0.25 * blades[..., None] * 2.5) * (1.1 - 0.35 * depth[..., None])
    img[below] = grass[below]
    pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    for _ in range(rng.randint(0, 8)):  # trees on the hills
        tx = rng.uniform(0, w)
        base = float(hill[min(w - 1, int(tx))]) + rng.uniform(5, 60)
        th = rng.uniform(25, 70)
        draw.polygon([(tx, base - th), (tx - th / 4, base), (tx + th / 4, base)], fill=(25, 60, 30))
    arr = cv2.GaussianBlur(np.asarray(pil, dtype=np.float32), (0, 0), 0.7)
    arr += nrng.normal(0, 3, arr.shape)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _cat(rng: random.Random, nrng: np.random.Generator) -> Image.Image:
    w, h, k = 640, 480, 2  # drawn at 2x, downsampled for smooth edges
    wall = rng.choice(((200, 190, 170), (170, 190, 200), (220, 215, 205), (120, 110, 100)))
    floor = rng.choice(((140, 100, 70), (110, 110, 115), (180, 160, 130)))
    pil = Image.new("RGB", (w * k, h * k), wall)
    draw = ImageDraw.Draw(pil)
    line = int(rng.uniform(0.55, 0.75) * h * k)
    draw.rectangle((0, line, w * k, h * k), fill=floor)
    fur = rng.choice(((220, 140, 60), (120, 120, 125), (40, 40, 42), (235, 232, 225), (150, 120, 90)))
    dark = tuple(int(c * 0.6) for c in fur)
    cx, cy = rng.uniform(0.35, 0.65) * w * k, rng.uniform(0.55, 0.7) * h * k
    bw, bh = rng.uniform(130, 190) * k, rng.uniform(90, 130) * k
    tail_side = rng.choice((-1, 1))
    tail_box = (
        cx + tail_side * bw * 0.7 - 90 * k,
        cy - 60 * k,
        cx + tail_side * bw * 0.7 + 90 * k,
        cy + 120 * k,
    )
    draw.arc(tail_box, 200, 340, fill=fur, width=22 * k)
    body = (cx - bw, cy - bh, cx + bw, cy + bh)
    draw.ellipse(body, fill=fur)
    if rng.random() < 0.5:  # tabby stripes, kept inside the body
        stripes = Image.new("RGB", pil.size, fur)
        stripe_draw = ImageDraw.Draw(stripes)
        for i in range(-3, 4):
            x = cx + i * bw / 4
            stripe_draw.line([(x, cy - bh), (x + 25 * k, cy + bh * 0.4)], fill=dark, width=10 * k)
        inside = Image.new("L", pil.size, 0)
        ImageDraw.Draw(inside).ellipse(body, fill=255)
        pil.paste(stripes, (0, 0), inside)
    hx, hy, r = cx - tail_side * bw * 0.75, cy - bh * 0.9, rng.uniform(60, 80) * k
    for side in (-1, 1):
        ear = [
            (hx + side * r * 0.9, hy - r * 0.2),
            (hx + side * r * 0.75, hy - r * 1.45),
            (hx + side * r * 0.2, hy - r * 0.8),
        ]
        draw.polygon(ear, fill=fur)
    draw.ellipse((hx - r, hy - r, hx + r, hy + r), fill=fur)
    iris = rng.choice(((110, 190, 60), (230, 190, 40), (90, 160, 210)))
    for side in (-1, 1):
        ex, ey = hx + side * r * 0.4, hy - r * 0.1
        draw.ellipse((ex - r * 0.2, ey - r * 0.15, ex + r * 0.2, ey + r * 0.15), fill=iris)
        draw.ellipse((ex - r * 0.05, ey - r * 0.14, ex + r * 0.05, ey + r * 0.14), fill=(10, 10, 10))
    nose_y = hy + r * 0.25
    draw.polygon(
        [(hx - r * 0.1, nose_y), (hx + r * 0.1, nose_y), (hx, nose_y + r * 0.1)], fill=(230, 130, 140)
    )
    for side in (-1, 1):
        for dy in (-0.05, 0.05, 0.15):
            start = (hx + side * r * 0.2, nose_y + r * 0.1)
            draw.line([start, (hx + side * r * 1.3, nose_y + r * dy * 2)], fill=(235, 235, 235), width=2 * k)
    pil = pil.resize((w, h), Image.Resampling.LANCZOS)
    arr = cv2.GaussianBlur(np.asarray(pil, dtype=np.float32), (0, 0), 0.8)
    arr += nrng.normal(0, 4, arr.shape)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


# --------------------------------------------------------------------------------------------- photographing


_TABLES = (
    ("wood", (120, 80, 50)),
    ("wood", (165, 120, 80)),
    ("wood", (90, 60, 40)),
    ("plain", (70, 70, 75)),
    ("plain", (40, 42, 48)),
    ("plain", (150, 150, 145)),
    ("plain", (60, 90, 120)),
    ("fabric", (110, 40, 40)),
    ("fabric", (50, 70, 60)),
    ("stone", (185, 180, 170)),
)


def _table(width: int, height: int, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    """A surface to lay the paper on: base colour, blotches, and grain or weave."""
    kind, colour = rng.choice(_TABLES)
    base = np.array(colour, dtype=np.float32) * rng.uniform(0.85, 1.15)
    coarse = nrng.normal(0, 1, (height // 64 + 3, width // 64 + 3)).astype(np.float32)
    blotch = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    shade = 1 + 0.06 * blotch
    if kind == "wood":
        along_x = rng.random() < 0.5  # grain runs along x: stripes vary with y
        warp = cv2.resize(nrng.normal(0, 1, (8, 8)).astype(np.float32), (width, height), cv2.INTER_CUBIC)
        across = np.arange(height if along_x else width, dtype=np.float32)
        grid = across[:, None] if along_x else across[None, :]
        shade = shade + 0.06 * np.sin(grid * rng.uniform(0.15, 0.4) + warp * 6)
    elif kind == "fabric":
        shade = shade + 0.05 * nrng.normal(0, 1, (height, width)).astype(np.float32)
    elif kind == "stone":
        speck = cv2.GaussianBlur(nrng.normal(0, 1, (height, width)).astype(np.float32), (0, 0), 1.2)
        shade = shade + 0.12 * speck
    return base * shade[..., None]


def photograph(image: Image.Image, rng: random.Random, *, strength: float = 0.5) -> Image.Image:
    """A phone photo of the paper lying on a table: tilt, perspective, uneven light, blur, noise, JPEG.

    Degradations scale with ``strength`` (0 is nearly a clean scan on a table, 1 is a hard photo).
    """
    return _photograph(image, rng, strength=strength, on_table=True)


def _photograph(image: Image.Image, rng: random.Random, *, strength: float, on_table: bool) -> Image.Image:
    s = max(0.0, float(strength))
    nrng = np.random.default_rng(rng.getrandbits(64))
    doc = np.asarray(image.convert("RGB"), dtype=np.float32)
    h, w = doc.shape[:2]
    if on_table:
        angle = math.radians(rng.uniform(-4, 4) * s)
        keystone = rng.uniform(-0.04, 0.04) * s  # one edge farther from the camera than the other
        src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
        dst = src - (w / 2, h / 2)
        dst[:2, 0] *= 1 - keystone
        dst[2:, 0] *= 1 + keystone
        dst += nrng.uniform(-1, 1, (4, 2)) * 0.015 * s * min(w, h)
        cos, sin = math.cos(angle), math.sin(angle)
        dst = dst @ np.array([[cos, sin], [-sin, cos]], dtype=np.float32)
        margin = rng.uniform(0.06, 0.2) * (w + h) / 2
        dst -= dst.min(axis=0) - margin
        canvas = np.ceil(dst.max(axis=0) + margin).astype(int)
        scale = min(1.0, MAX_SIDE / canvas.max())
        dst *= scale
        cw, ch = (int(v) for v in np.ceil(canvas * scale))
        matrix = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
        paper = cv2.warpPerspective(doc, matrix, (cw, ch), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
        mask = cv2.warpPerspective(np.ones((h, w), np.float32), matrix, (cw, ch), flags=cv2.INTER_LINEAR)
        table = _table(cw, ch, rng, nrng)
        offset = np.float32([[1, 0, rng.uniform(2, 8)], [0, 1, rng.uniform(2, 10)]])
        shadow = cv2.GaussianBlur(cv2.warpAffine(mask, offset, (cw, ch)), (0, 0), rng.uniform(3, 9))
        table *= (1 - 0.35 * shadow)[..., None]
        out = table * (1 - mask[..., None]) + paper * mask[..., None]
    else:
        out = doc.copy()
        ch, cw = h, w
    yy, xx = np.mgrid[0:ch, 0:cw].astype(np.float32)
    yy, xx = yy / ch - 0.5, xx / cw - 0.5
    theta = rng.uniform(0, 2 * math.pi)
    light = 1 + rng.uniform(0.05, 0.3) * s * (math.cos(theta) * xx + math.sin(theta) * yy) * 2
    light -= rng.uniform(0.0, 0.25) * s * (xx**2 + yy**2) * 2  # vignette
    if rng.random() < 0.3 * s:  # a soft shadow of the phone or a hand
        cx, cy, r = rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), rng.uniform(0.2, 0.5)
        light -= 0.2 * s * np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / r**2))
    tint = 1 + np.array([rng.uniform(-0.04, 0.04) for _ in range(3)], dtype=np.float32) * s
    out = out * light[..., None] * tint
    sigma = rng.uniform(0.3, 1.0) * s
    if sigma > 0.05:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    noise = rng.uniform(1.0, 5.0) * s
    if noise > 0:
        grain = nrng.normal(0, noise, out.shape[:2]).astype(np.float32)[..., None]
        out = out + grain + nrng.normal(0, noise * 0.4, out.shape).astype(np.float32)
    photo = Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8))
    if max(photo.size) > MAX_SIDE:
        factor = MAX_SIDE / max(photo.size)
        photo = photo.resize(
            (round(photo.width * factor), round(photo.height * factor)), Image.Resampling.LANCZOS
        )
    quality = max(60, min(90, round(90 - 30 * s * rng.random())))
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


# --------------------------------------------------------------------------------------------- datasets


def _kind_weights(kinds: dict[str, float] | None) -> tuple[tuple[str, ...], tuple[float, ...]]:
    return _weights({"slip": 1.0} if kinds is None else kinds, KINDS, "kind")


def _weights(
    mix: dict[str, float], known: tuple[str, ...], what: str
) -> tuple[tuple[str, ...], tuple[float, ...]]:
    unknown = set(mix) - set(known)
    if unknown:
        raise ValueError(f"unknown {what}s {sorted(unknown)}; expected some of {known}")
    if any(weight < 0 for weight in mix.values()) or sum(mix.values()) <= 0:
        raise ValueError(f"{what} weights must be non-negative and not all zero")
    names = tuple(name for name in known if name in mix)  # fixed order: same draws whatever the dict order
    return names, tuple(float(mix[name]) for name in names)


def generate(
    n: int,
    *,
    seed: int,
    kinds: dict[str, float] | None = None,
    start: date = date(2026, 1, 1),
    end: date = date(2026, 12, 31),
    strength: float = 0.5,
    locales: dict[str, float] | None = None,
) -> Iterator[tuple[str, Image.Image, DocumentTruth]]:
    """``n`` photographed documents as ``(file name, photo, truth)``, e.g. ``("slip_0003.jpg", ...)``.

    Each document has its own generator seeded from a master one, so the first k of ``n`` documents
    are the same for any ``n`` >= k and one odd document cannot shift the rest. ``locales`` weighs the
    locales of slips and receipts (``{"de": 1, "fr": 1}``); ``None`` keeps random_truth's own draw, and with it
    every document of a seed generated before the option existed. The locale is drawn from the document's
    generator, so a mix changes the documents but not the sequence of kinds.
    """
    names, weights = _kind_weights(kinds)
    locale_names, locale_weights = _weights(locales, LOCALES, "locale") if locales is not None else ((), ())
    master = random.Random(seed)
    for index in range(n):
        kind = master.choices(names, weights=weights)[0]
        rng = random.Random(master.getrandbits(64))
        locale = None
        if locale_names and kind != "other":
            locale = rng.choices(locale_names, weights=locale_weights)[0]
        truth = random_truth(rng, kind=kind, locale=locale, start=start, end=end)
        clean = render_document(truth, rng)
        photo = _photograph(clean, rng, strength=strength, on_table=kind != "other")
        yield f"{kind}_{index:04d}.jpg", photo, truth


def write_eval_set(
    out_dir: Path,
    n: int,
    *,
    seed: int,
    kinds: dict[str, float] | None = None,
    start: date = date(2026, 1, 1),
    end: date = date(2026, 12, 31),
    strength: float = 0.5,
    locales: dict[str, float] | None = None,
) -> Path:
    """Write ``n`` JPEGs and ``labels.jsonl`` (the eval format) into ``out_dir``; return the labels path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    quality = random.Random(f"{seed}:jpeg")  # separate stream: saving never changes what is generated
    labels = out_dir / "labels.jsonl"
    with labels.open("w", encoding="utf-8") as fh:
        for name, photo, truth in generate(
            n, seed=seed, kinds=kinds, start=start, end=end, strength=strength, locales=locales
        ):
            photo.save(out_dir / name, format="JPEG", quality=quality.randint(85, 92))
            fh.write(json.dumps(truth.to_label(name), ensure_ascii=False) + "\n")
    return labels
