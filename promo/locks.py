"""Serialising the decisions that compare submissions with each other.

Two copies of one slip decided at the same instant by two workers must not both find the other "not there yet".
Every decision takes, inside its transaction, a lock on each key it could share with a copy of itself (the
file's hash, the photo hash's bands, the slip's fingerprint, the fiscal QR's ids, the participant:
promo.duplicates.comparison_keys) and holds them until it commits, so whichever of two copies is decided second
sees the first one's result.
Decisions with no key in common run in parallel.

On PostgreSQL the keys are transaction-level advisory locks, taken in sorted order (no deadlock between two
deciders) with a lock timeout (a stuck holder turns into a retry, not a pile-up). Elsewhere (SQLite, the
embedded single-process default) one process-wide lock serialises every decision.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections, transaction

from promo.models import Submission

_PROCESS_LOCK = threading.RLock()


def lock_id(key: str) -> int:
    """A text key as the signed 64-bit number PostgreSQL's advisory locks take (a collision only serialises two
    unrelated decisions)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def comparison_lock(keys: Iterable[str]) -> Iterator[None]:
    """A transaction holding a lock on every key until it commits or rolls back."""
    ids = sorted({lock_id(key) for key in keys})
    connection = connections[Submission.objects.db]
    if connection.vendor != "postgresql":
        with _PROCESS_LOCK, transaction.atomic():
            yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)", [f"{settings.SLIPCHECK_LOCK_TIMEOUT_MS}ms"]
            )
            # unnest keeps the array's (sorted) order: every decider takes shared keys in the same order
            cursor.execute("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k", [ids])
        yield
