"""What other apps may react to without promo knowing them (floors point one way: prizes and reports import
promo, never the reverse).

`submission_moved` is sent by promo.transitions inside the transaction that moves a submission, after the move
and its audit line are written: a receiver that writes (a promo code handed to an acceptance) commits or rolls
back with the move itself, so an acceptance never stands without what its receivers did, nor the reverse. A
receiver must be quick and must not call out of the database; work that may wait goes through
`transaction.on_commit`.
"""

import django.dispatch

# sender: Submission; kwargs: submission, from_status, to_status, actor, user
submission_moved = django.dispatch.Signal()

# Sent by promo.privacy.submission_erase once a submission's personal data is scrubbed (a participant's request or
# the campaign's retention): a receiver that keeps its own copy of what was sent about the submission (a webhook's
# frozen body) scrubs it by the same rules (promo.privacy.IDENTIFYING_FIELDS, identifies_a_card).
# sender: Submission; kwargs: submission
submission_erased = django.dispatch.Signal()
