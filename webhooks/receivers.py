"""webhooks' answer to promo's moves (promo.signals.submission_moved), connected in WebhooksConfig.ready: a final
decision's deliveries are written inside the move's transaction, and sent only after it commits."""

from typing import Any

from promo.models import Submission
from webhooks.deliveries import deliveries_create, deliveries_erase


def on_submission_moved(sender: Any, *, submission: Submission, to_status: str, **kwargs: Any) -> None:
    # Every move into a final status is an event, a person's later overturn included (its own event id).
    if to_status in Submission.FINAL:
        deliveries_create(submission=submission, to_status=to_status)


def on_submission_erased(sender: Any, *, submission: Submission, **kwargs: Any) -> None:
    deliveries_erase(submission=submission)
