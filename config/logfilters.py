"""Logs never carry a full card number: whatever a message or a traceback quotes is masked before any handler
writes it (an exception raised while reading a slip may quote the line it choked on)."""

import logging

from recognition.cards import CARD_LENGTHS, mask_card_numbers

_FEWEST_DIGITS = min(CARD_LENGTHS)


def _masked(text: str) -> str:
    if sum(char.isdigit() for char in text) < _FEWEST_DIGITS:
        return text  # no card number fits: the common case costs one pass over the text
    return mask_card_numbers(text, doubt=True)[0]


class MaskCardNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = _masked(record.getMessage()), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _masked(record.exc_text)
        if record.stack_info:
            record.stack_info = _masked(record.stack_info)
        return True
