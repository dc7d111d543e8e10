"""The card payment systems a campaign can require, and how they are printed on slips."""

PAYMENT_SYSTEMS = ("VISA", "MASTERCARD", "MIR", "MAESTRO", "AMEX", "UNIONPAY", "JCB")

# Skeleton spellings (see recognition.text.skeleton) of each system as printed, whole words.
PRINTED_NAMES: dict[str, tuple[str, ...]] = {
    "VISA": ("VISA", "VISA ELECTRON", "VISA DEBIT", "VISA CREDIT"),
    "MASTERCARD": ("MASTERCARD", "MASTER CARD", "MC"),
    "MIR": ("MIR", "MNP", "MNR"),  # МИР folds to MNP; PP-OCR reads it as MNP or MIR
    "MAESTRO": ("MAESTRO",),
    "AMEX": ("AMEX", "AMERICAN EXPRESS"),
    "UNIONPAY": ("UNIONPAY", "UNION PAY", "CUP"),
    "JCB": ("JCB",),
}
