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
    "FISCAL_DAMAGES",
    "KINDS",
    "LOCALES",
    "PAYMENT_SYSTEMS",
    "DocumentTruth",
    "FiscalTruth",
    "PrintedLine",
    "ReceiptItem",
    "document_lines",
    "fiscal_payload",
    "generate",
    "photograph",
    "random_truth",
    "receipt_items",
    "render_document",
    "write_eval_set",
]

PAYMENT_SYSTEMS = ("VISA", "MASTERCARD", "MIR", "MAESTRO", "AMEX", "UNIONPAY", "JCB")
KINDS = ("slip", "receipt", "other")
LOCALES = ("ru", "en")
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
    locale: str | None  # "ru" | "en" | None for "other"
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
    """A plausible document content; the date is uniform in ``[start, end]``, the locale 60% ru if unset."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if end < start:
        raise ValueError("end is before start")
    if kind == "other":
        return DocumentTruth("other", None, None, None, None, None, None, None, None, None, None)
    if locale is None:
        locale = rng.choices(LOCALES, weights=(0.6, 0.4))[0]
    if locale not in LOCALES:
        raise ValueError(f"locale must be one of {LOCALES}, not {locale!r}")
    day = start + timedelta(days=rng.randrange((end - start).days + 1))
    at = time(_random_hour(rng), rng.randrange(60))
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
    goods = _RU_GOODS if locale == "ru" else _EN_GOODS
    floor = 2000 if locale == "ru" else 50  # cheapest position, in cents
    n = count if count is not None else rng.randint(15, 35)
    n = max(1, min(n, cents // floor))
    picked = [rng.choice(goods) for _ in range(n)]
    weights = [base * rng.lognormvariate(0, 0.5) for _, base in picked]
    spare = cents - n * floor if cents >= n * floor else 0
    shares = [floor + int(spare * w / sum(weights)) for w in weights] if spare else [cents // n] * n
    shares[-1] += cents - sum(shares)
    grid = 10  # ru prices end in a whole 10 kopecks, en ones in 9 cents (x.x9)
    items: list[ReceiptItem] = []
    drift = 0  # printed minus planned, cents
    for (name, _), share in zip(picked[:-1], shares[:-1], strict=True):
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
        items.append(_item(name, qty, price))
    last = shares[-1] - drift
    if last <= 0:  # only for tiny hand-made totals: fall back to an exact, unsnapped split
        return [_item(name, 1, share) for (name, _), share in zip(picked, shares, strict=True)]
    items.append(_item(picked[-1][0], 1, last))
    return items


def _item(name: str, qty: int, price_cents: int) -> ReceiptItem:
    price = (Decimal(price_cents) / 100).quantize(_CENT)
    return ReceiptItem(name, qty, price, (price * qty).quantize(_CENT))


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


def document_lines(truth: DocumentTruth, rng: random.Random) -> list[PrintedLine]:
    """The printed text of a document (empty for "other").

    ``render_document`` draws these from the same ``rng`` first, so with two equal generators
    ``document_lines`` returns exactly the text on the rendered image: a parser can be tested without OCR.
    """
    if truth.kind == "other":
        return []
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
    mix = {"slip": 1.0} if kinds is None else dict(kinds)
    unknown = set(mix) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; expected some of {KINDS}")
    if any(weight < 0 for weight in mix.values()) or sum(mix.values()) <= 0:
        raise ValueError("kind weights must be non-negative and not all zero")
    names = tuple(kind for kind in KINDS if kind in mix)  # fixed order: same draws whatever the dict order
    return names, tuple(float(mix[kind]) for kind in names)


def generate(
    n: int,
    *,
    seed: int,
    kinds: dict[str, float] | None = None,
    start: date = date(2026, 1, 1),
    end: date = date(2026, 12, 31),
    strength: float = 0.5,
) -> Iterator[tuple[str, Image.Image, DocumentTruth]]:
    """``n`` photographed documents as ``(file name, photo, truth)``, e.g. ``("slip_0003.jpg", ...)``.

    Each document has its own generator seeded from a master one, so the first k of ``n`` documents
    are the same for any ``n`` >= k and one odd document cannot shift the rest.
    """
    names, weights = _kind_weights(kinds)
    master = random.Random(seed)
    for index in range(n):
        kind = master.choices(names, weights=weights)[0]
        rng = random.Random(master.getrandbits(64))
        truth = random_truth(rng, kind=kind, start=start, end=end)
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
) -> Path:
    """Write ``n`` JPEGs and ``labels.jsonl`` (the eval format) into ``out_dir``; return the labels path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    quality = random.Random(f"{seed}:jpeg")  # separate stream: saving never changes what is generated
    labels = out_dir / "labels.jsonl"
    with labels.open("w", encoding="utf-8") as fh:
        for name, photo, truth in generate(
            n, seed=seed, kinds=kinds, start=start, end=end, strength=strength
        ):
            photo.save(out_dir / name, format="JPEG", quality=quality.randint(85, 92))
            fh.write(json.dumps(truth.to_label(name), ensure_ascii=False) + "\n")
    return labels
