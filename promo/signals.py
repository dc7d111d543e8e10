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
