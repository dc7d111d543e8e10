"""Logs never carry a full card number, whether in the message, its arguments or a traceback."""

import io
import logging

from config.logfilters import MaskCardNumbers

CARD = "4111 1111 1111 1111"


def formatted(record: logging.LogRecord) -> str:
    assert MaskCardNumbers().filter(record)
    return logging.Formatter("%(message)s").format(record)


def test_the_message_and_its_arguments_are_masked():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "read %s on line %d", (f"CARD {CARD}", 3), None
    )
    text = formatted(record)
    assert "4111 1111 1111 1111" not in text and "1111" in text and "line 3" in text


def test_a_traceback_quoting_the_number_is_masked():
    try:
        raise ValueError(f"cannot parse {CARD.replace(' ', '')}")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    text = formatted(record)
    assert "ValueError" in text and "4111111111111111" not in text


def test_ordinary_messages_are_left_alone():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "RRN 123456789012 amount 1234.50", (), None)
    assert formatted(record) == "RRN 123456789012 amount 1234.50"


def test_the_configured_console_handler_masks(settings):
    from logging.config import dictConfig

    stream = io.StringIO()
    config = {**settings.LOGGING, "root": {"handlers": ["console"], "level": "INFO"}}
    dictConfig(config)
    try:
        handler = next(
            h for h in logging.getLogger().handlers if any(isinstance(f, MaskCardNumbers) for f in h.filters)
        )
        handler.setStream(stream)
        logging.getLogger("promo.anything").warning("slip shows %s", CARD)
    finally:
        dictConfig(settings.LOGGING)  # as the rest of the suite expects
    assert "4111 1111 1111 1111" not in stream.getvalue() and "slip shows" in stream.getvalue()
