"""What a moderator can answer, and the keys that answer it on the review page."""

from django.utils.translation import gettext_lazy as _

# The usual reasons to reject, in the order of their digit keys (1..7; 8 is a written reason). Each code's
# participant message is in promo.reasons.MESSAGES, in Russian and English.
REJECT_REASONS: tuple[tuple[str, object], ...] = (
    ("moderator_amount_differs", _("The amount differs from the typed one")),
    ("moderator_card_differs", _("Another card")),
    ("moderator_outside_period", _("Printed outside the campaign period")),
    ("moderator_not_a_document", _("Not a document the campaign accepts")),
    ("moderator_duplicate", _("Already submitted")),
    ("moderator_edited", _("The photo was edited")),
    ("moderator_unreadable", _("Unreadable")),
    ("moderator_rejected", _("Another reason (written)")),
)
REJECT_CODES = frozenset(code for code, _label in REJECT_REASONS)
WRITTEN = "moderator_rejected"  # needs the moderator's words: they are the participant's message
