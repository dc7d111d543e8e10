"""prizes' answer to promo's moves (promo.signals.submission_moved), connected in PrizesConfig.ready: runs inside
the move's transaction, so an acceptance and its promo code commit or roll back together."""

from typing import Any

from prizes.codes import promo_code_hand_out, promo_code_withdraw
from promo.models import Submission

Status = Submission.Status


def on_submission_moved(
    sender: Any, *, submission: Submission, from_status: str, to_status: str, **kwargs: Any
) -> None:
    if to_status == Status.ACCEPTED:
        promo_code_hand_out(submission=submission)
    elif to_status in (Status.REVOKED, Status.REJECTED) and from_status in (
        Status.ACCEPTED,
        Status.MODERATION,
    ):
        # Only an acceptance can hold a code: revoked, or reopened (kept, hidden) and then rejected.
        promo_code_withdraw(submission=submission)
