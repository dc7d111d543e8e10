"""Upload rate limits per client address and per participant contact, for the API and the page alike.

Counted in the shared cache (Redis in production), so they hold across web processes and machines. The client
address is the one the last trusted proxy saw: `X-Forwarded-For` is written by the client too, so only the
entries appended by our own proxies (their number is configured) are believed.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import ngettext

from promo.contacts import normalize_contact

_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
            "d": 86400, "day": 86400}  # fmt: skip


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """`60/minute`, `10/hour`, `5/10m`."""
        count, _, period = text.partition("/")
        digits = "".join(ch for ch in period if ch.isdigit())
        unit = period[len(digits) :].strip().lower()
        if unit not in _PERIODS or not count.strip().isdigit():
            raise ValueError(f"not a rate: {text!r} (e.g. 60/minute)")
        return cls(int(count), int(digits or 1) * _PERIODS[unit])


class RateLimited(Exception):
    def __init__(self, scope: str, retry_after: int):
        super().__init__(scope)
        self.scope = scope
        self.retry_after = retry_after


def rate_limited_message(retry_after: int) -> str:
    minutes = max(1, round(retry_after / 60))
    return ngettext(
        "Too many uploads in a short time. Wait %(minutes)d minute, then send your slip again.",
        "Too many uploads in a short time. Wait %(minutes)d minutes, then send your slip again.",
        minutes,
    ) % {"minutes": minutes}


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or with N trusted proxies in front, the address the outermost of them received from.

    Each proxy appends the address it was reached from, so the N-th entry from the right was written by our
    first proxy; entries left of it are whatever the client sent and are ignored.
    """
    proxies = settings.SLIPCHECK_TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote  # not through all our proxies: the socket's peer is the best we know
    return forwarded[-proxies]


def _hit(scope: str, key: str, rate: Rate) -> None:
    """One more request in the current window; RateLimited past the rate. Fixed windows: cheap, shared."""
    cache = caches[settings.SLIPCHECK_RATE_LIMIT_CACHE]
    window = int(time.time() // rate.seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # contacts are personal data: only a hash is a key
    cache_key = f"slipcheck:rl:{scope}:{window}:{digest}"
    cache.add(cache_key, 0, timeout=rate.seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=rate.seconds + 5)
        count = 1
    if count > rate.count:
        raise RateLimited(scope, retry_after=int(rate.seconds - time.time() % rate.seconds) + 1)


def upload_rate_check(*, request: HttpRequest, contact: object) -> None:
    """Counts an upload attempt against the client's address and, when it parses, the participant's contact.

    Called before the photo is examined, so refused attempts count too: a flood of garbage is a flood.
    """
    _hit("address", client_address(request), Rate.parse(settings.SLIPCHECK_UPLOAD_RATE))
    if isinstance(contact, str) and contact.strip():
        try:
            _, normalized = normalize_contact(contact)
        except ValidationError:
            return
        _hit("contact", normalized, Rate.parse(settings.SLIPCHECK_UPLOAD_RATE_PER_CONTACT))
