"""Which uploads one browser made: the proof of ownership behind the list of one's submissions and the link to
an own earlier copy of a slip.

A contact is typed, never verified: anyone may type another person's phone number, so "the same contact" proves
nothing, and grouping by it would hand a stranger the person's list, their promo codes and their one appeal. The
upload page instead gives the browser a random secret in a cookie (HttpOnly, a year) and each upload from it
stores the secret's SHA-256 (`Submission.owner_hash`); uploads are one owner's when they carry the same hash and
the same contact (a shared phone keeps two people's lists apart). API uploads carry none: the brand's app holds
the ids it was given.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE = "slipcheck_owner"
MAX_AGE = 366 * 24 * 3600  # longer than a campaign
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def browser_owner(request: HttpRequest) -> str:
    """The browser's secret: the one its cookie holds, or a new one (a missing or malformed cookie)."""
    token = request.COOKIES.get(COOKIE, "")
    return token if _TOKEN.fullmatch(token) else secrets.token_urlsafe(32)


def owner_hash(token: str) -> str:
    """What is stored: the cookie cannot be read back from the database."""
    return hashlib.sha256(token.encode()).hexdigest()


def remember_owner(response: HttpResponse, token: str) -> HttpResponse:
    response.set_cookie(
        COOKIE,
        token,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
