"""The prize draw: announced with its seed before its period ends, run once after, published for anyone to re-run
with prizes/verify_draw.py (the method is in prizes/DRAW.md, and the ranking is that file's code)."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prizes import verify_draw
from prizes.models import Draw, DrawWinner
from promo.models import Campaign, Submission

Status = Submission.Status
FORMAT = "slipcheck-draw/1"
PARTICIPANT_PREFIX = "slipcheck-participant\n"
# Submissions whose decision is not made yet: a draw run while some wait would leave them out.
PENDING = (Status.RECEIVED, Status.PROCESSING, Status.MODERATION)


class DrawRefused(Exception):
    """A draw act the rules do not allow; the message says why, in the reader's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def period_bounds(draw: Draw) -> tuple[datetime, datetime]:
    """The period's first instant and the first instant after it, in the campaign's time zone."""
    tz = draw.campaign.tz
    return (
        datetime.combine(draw.period_starts_on, time.min, tzinfo=tz),
        datetime.combine(draw.period_ends_on + timedelta(days=1), time.min, tzinfo=tz),
    )


def _valid_seed(seed: str) -> str:
    seed = seed.strip()
    if not seed:
        return secrets.token_hex(32)
    if len(seed) > 128 or not seed.isprintable():
        raise ValidationError(_("A seed is 1 to 128 printable characters on one line."))
    return seed


def draw_announce(
    *,
    campaign: Campaign,
    name: str,
    starts_on: Any,
    ends_on: Any,
    winners_count: int,
    allow_repeat: bool = False,
    seed: str = "",
    user: Any = None,
) -> Draw:
    """Creates a draw with its seed, announced now: refused once the period has ended (a seed known after the
    entries are could be chosen to pick a winner). An empty seed is a random one."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Name the draw."))
    if ends_on < starts_on:
        raise ValidationError(_("The period's last day is before its first day."))
    if winners_count < 1:
        raise ValidationError(_("A draw has at least one winner."))
    draw = Draw(
        campaign=campaign,
        name=name,
        period_starts_on=starts_on,
        period_ends_on=ends_on,
        winners_count=winners_count,
        allow_repeat=allow_repeat,
        seed=_valid_seed(seed),
        seed_announced_at=timezone.now(),
        announced_by=user if getattr(user, "pk", None) else None,
        pseudonym_salt=secrets.token_hex(32),
    )
    if draw.seed_announced_at >= period_bounds(draw)[1]:
        raise DrawRefused(
            _("The period ended on %(day)s: a seed must be announced before the period ends.")
            % {"day": ends_on.isoformat()}
        )
    try:
        with transaction.atomic():
            draw.save()
    except IntegrityError:
        raise DrawRefused(
            _("This campaign already has a draw named “%(name)s”: give the new one another name.")
            % {"name": name}
        ) from None
    return draw


def period_submissions(draw: Draw):
    start, end = period_bounds(draw)
    return Submission.objects.filter(campaign_id=draw.campaign_id, created_at__gte=start, created_at__lt=end)


def participant_pseudonym(draw: Draw, participant_id: int) -> str:
    return verify_draw.sha256_hex(f"{PARTICIPANT_PREFIX}{draw.pseudonym_salt}\n{participant_id}")


def draw_entries(draw: Draw) -> list[dict[str, Any]]:
    """The period's accepted submissions as published entries, sorted; each also knows its submission (not
    published). Participants' pseudonyms are published only when one win per participant must be checked."""
    rows = period_submissions(draw).filter(status=Status.ACCEPTED).values_list("id", "participant_id")
    entries = []
    for submission_id, participant_id in rows:
        item: dict[str, Any] = {"entry": verify_draw.entry_of(str(submission_id))}
        if not draw.allow_repeat:
            item["participant"] = participant_pseudonym(draw, participant_id)
        entries.append((item, submission_id))
    entries.sort(key=lambda pair: pair[0]["entry"])
    return [{**item, "_submission": submission_id} for item, submission_id in entries]


def draw_run(*, draw: Draw, user: Any = None, allow_pending: bool = False) -> Draw:
    """Draws the winners, once: refused before the period ends, while submissions of the period still wait for a
    decision (unless `allow_pending`: they are left out, and the record says how many), and for a draw that ran."""
    with transaction.atomic():
        draw = Draw.objects.select_for_update().select_related("campaign").get(pk=draw.pk)
        if draw.has_run:
            raise DrawRefused(_("This draw ran already: a draw runs once. Announce a new draw instead."))
        now = timezone.now()
        if now < period_bounds(draw)[1]:
            raise DrawRefused(_("The period has not ended yet: the draw runs after its last day."))
        pending = period_submissions(draw).filter(status__in=PENDING).count()
        if pending and not allow_pending:
            raise DrawRefused(
                _(
                    "Submissions of the period still waiting for a decision: %(count)d. Decide them first, or run "
                    "the draw without them."
                )
                % {"count": pending}
            )
        entries = draw_entries(draw)
        public = [{k: v for k, v in item.items() if k != "_submission"} for item in entries]
        submission_of = {item["entry"]: item["_submission"] for item in entries}
        winners = verify_draw.choose_winners(draw.seed, public, draw.winners_count, draw.allow_repeat)
        DrawWinner.objects.bulk_create(
            DrawWinner(draw=draw, rank=rank, submission_id=submission_of[item["entry"]], entry=item["entry"])
            for rank, item in enumerate(winners, 1)
        )
        draw.ran_at, draw.ran_by = now, user if getattr(user, "pk", None) else None
        draw.entries_count = len(public)
        draw.entries_sha256 = verify_draw.entries_digest(public)
        draw.published = {
            **announcement(draw),
            "ran_at": now.isoformat(),
            "pending_left_out": pending,
            "entries_sha256": draw.entries_sha256,
            "entries": public,
            "winners": [item["entry"] for item in winners],
        }
        # Only these columns: a draw's announcement is never rewritten by its run.
        draw.save(update_fields=["ran_at", "ran_by", "entries_count", "entries_sha256", "published"])
    return draw


def announcement(draw: Draw) -> dict[str, Any]:
    """What is published when the seed is announced (before the period ends)."""
    return {
        "format": FORMAT,
        "campaign": draw.campaign.slug,
        "draw": draw.name,
        "period": {
            "first_day": draw.period_starts_on.isoformat(),
            "last_day": draw.period_ends_on.isoformat(),
            "time_zone": draw.campaign.timezone,
        },
        "seed": draw.seed,
        "seed_announced_at": draw.seed_announced_at.isoformat(),
        "n": draw.winners_count,
        "allow_repeat": draw.allow_repeat,
    }


def published_record(draw: Draw) -> dict[str, Any]:
    """The record to publish: the full one once the draw ran, the announcement before."""
    return draw.published if draw.has_run else announcement(draw)
