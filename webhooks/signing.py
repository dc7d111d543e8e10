"""The signature a receiver checks: `Slipcheck-Signature: t=<unix time>,v1=<hex HMAC-SHA256>` over
`"<t>.<raw body>"`, the scheme Stripe uses. The timestamp is signed with the body, so a captured request cannot be
replayed later than the receiver's tolerance (README, "Webhooks"). During a secret's rotation a second `v1` is
signed with the previous secret.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Slipcheck-Signature"
EVENT_ID_HEADER = "Slipcheck-Event-Id"
EVENT_TYPE_HEADER = "Slipcheck-Event-Type"
SCHEME = "v1"


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(*, secrets: list[str], timestamp: int, body: bytes) -> str:
    parts = [f"t={timestamp}"]
    parts += [f"{SCHEME}={signature(secret=secret, timestamp=timestamp, body=body)}" for secret in secrets]
    return ",".join(parts)
