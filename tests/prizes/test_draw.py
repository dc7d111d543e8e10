"""The prize draw: announced before its period ends, run once after, reproducible from what it publishes."""

import json
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from prizes import draws, verify_draw
from prizes.models import Draw, DrawWinner
from promo.models import Submission
from tests.factories import CampaignFactory, ParticipantFactory, SubmissionFactory
from tests.prizes.conftest import accepted, at, move, staff, waiting

Status = Submission.Status
pytestmark = pytest.mark.django_db
VERIFY = Path(verify_draw.__file__)
FIRST, LAST = date(2026, 12, 10), date(2026, 12, 16)  # after the suite's "now" (2026-12-01) at first


@pytest.fixture
def clock(monkeypatch):
    """Sets "now" for everything that asks django.utils.timezone (a naive time is in Moscow)."""

    def set_to(when: datetime):
        aware = when if when.tzinfo else when.replace(tzinfo=CampaignFactory.build().tz)
        monkeypatch.setattr(timezone, "now", lambda: aware)

    return set_to


@pytest.fixture
def campaign():
    return CampaignFactory(timezone="Europe/Moscow", starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 31))


def announce(campaign, clock, n=3, allow_repeat=False, name="Week 2", seed="") -> Draw:
    clock(datetime(2026, 12, 9, 12, 0))
    return draws.draw_announce(
        campaign=campaign, name=name, starts_on=FIRST, ends_on=LAST, winners_count=n, allow_repeat=allow_repeat,
        seed=seed,
    )  # fmt: skip


def entered(campaign, when=datetime(2026, 12, 12, 10, 0), **kwargs) -> Submission:
    return at(campaign, accepted(campaign, **kwargs), when)


def run(draw, clock, **kwargs) -> Draw:
    clock(datetime(2026, 12, 17, 0, 1))
    return draws.draw_run(draw=draw, **kwargs)


def verify(tmp_path, record: dict, *args: str) -> subprocess.CompletedProcess:
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    # -I -S: no site-packages and no project on the path: the standard library only, as the public runs it.
    return subprocess.run(
        [sys.executable, "-I", "-S", str(VERIFY), str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_published_record_reruns_to_the_same_winners_with_the_standalone_script(
    campaign, clock, tmp_path
):
    draw = announce(campaign, clock, n=3)
    people = [ParticipantFactory() for _ in range(6)]
    submissions = [entered(campaign, participant=people[i % 6]) for i in range(15)]
    draw = run(draw, clock)
    record = draw.published
    winners = list(DrawWinner.objects.filter(draw=draw).order_by("rank").values_list("entry", flat=True))
    assert record["winners"] == winners and len(winners) == 3
    done = verify(tmp_path, record)
    assert done.returncode == 0, done.stdout + done.stderr
    printed = [
        line.split("\t")[1] for line in done.stdout.splitlines() if line[:1].isdigit() and "\t" in line
    ]
    assert printed == winners
    assert "OK: the same winners as published" in done.stdout
    assert f"entries: 15, SHA-256 {draw.entries_sha256} (as published)" in done.stdout
    # No reference (it opens a participant's page) is published; each participant can find their own entry.
    text = json.dumps(record)
    assert not any(str(s.pk) in text for s in submissions)
    mine = verify(tmp_path, record, "--reference", str(submissions[0].pk).upper())
    assert f"your entry {verify_draw.entry_of(str(submissions[0].pk))} ranks" in mine.stdout


def test_a_tampered_record_is_caught(campaign, clock, tmp_path):
    draw = announce(campaign, clock, n=1)
    for _ in range(4):
        entered(campaign)
    record = run(draw, clock).published
    swapped = {**record, "winners": [record["entries"][0]["entry"] if record["entries"][0]["entry"] != record["winners"][0] else record["entries"][1]["entry"]]}  # fmt: skip
    assert "MISMATCH: the published winners differ" in verify(tmp_path, swapped).stdout
    dropped = {**record, "entries": record["entries"][1:]}
    done = verify(tmp_path, dropped)
    assert done.returncode == 1 and "MISMATCH: the entries hash to" in done.stdout


def test_an_announced_draw_that_has_not_run_says_so_instead_of_crashing(campaign, clock, tmp_path):
    draw = announce(campaign, clock, n=2)
    record = draws.published_record(draw)  # what the JSON download gives before the draw runs
    for args in ((), ("--reference", "abc")):
        done = verify(tmp_path, record, *args)
        assert done.returncode == verify_draw.CANNOT_CHECK != 0, done.stderr
        assert "Traceback" not in done.stderr
        assert 'NOT CHECKED: the draw "Week 2" has not run yet' in done.stderr
        assert "after its last day (2026-12-16)" in done.stderr
    incomplete = verify(tmp_path, {"seed": "s", "n": 1})
    assert incomplete.returncode == verify_draw.CANNOT_CHECK
    assert "it has no entries, allow_repeat" in incomplete.stderr and "Traceback" not in incomplete.stderr


def test_the_method_is_the_documented_one(campaign, clock):
    draw = announce(campaign, clock, n=2, seed="announced-seed-1", allow_repeat=True)
    subs = [entered(campaign) for _ in range(5)]
    record = run(draw, clock).published
    import hashlib

    def h(text):
        return hashlib.sha256(text.encode()).hexdigest()

    entries = sorted(h("slipcheck-entry\n" + str(s.pk)) for s in subs)
    assert [e["entry"] for e in record["entries"]] == entries
    assert all(set(e) == {"entry"} for e in record["entries"])  # repeats allowed: no pseudonym published
    expected = sorted(entries, key=lambda e: h("announced-seed-1\n" + e))[:2]
    assert record["winners"] == expected
    assert record["entries_sha256"] == h("".join(e + "\n" for e in entries))


def test_a_seed_is_refused_once_the_period_has_ended(campaign, clock):
    ends_at = datetime(2026, 12, 17, 0, 0)  # the first instant after the last day, in Moscow
    clock(ends_at - timedelta(seconds=1))
    draws.draw_announce(campaign=campaign, name="in time", starts_on=FIRST, ends_on=LAST, winners_count=1)
    clock(ends_at)
    with pytest.raises(draws.DrawRefused, match="before the period ends"):
        draws.draw_announce(campaign=campaign, name="late", starts_on=FIRST, ends_on=LAST, winners_count=1)
    assert list(Draw.objects.values_list("name", flat=True)) == ["in time"]


def test_the_draw_runs_only_after_the_period_and_only_once(campaign, clock):
    draw = announce(campaign, clock)
    entered(campaign)
    clock(datetime(2026, 12, 16, 23, 59))
    with pytest.raises(draws.DrawRefused, match="not ended"):
        draws.draw_run(draw=draw)
    draw = run(draw, clock)
    first = (draw.ran_at, draw.published)
    with pytest.raises(draws.DrawRefused, match="runs once"):
        run(draw, clock)
    draw.refresh_from_db()
    assert (draw.ran_at, draw.published) == first and DrawWinner.objects.count() == 1


def test_a_second_draw_of_the_same_name_is_refused_and_another_name_is_a_new_record(campaign, clock):
    announce(campaign, clock, name="Week 2")
    with pytest.raises(draws.DrawRefused, match="already has a draw named"):
        announce(campaign, clock, name="Week 2")
    announce(campaign, clock, name="Week 2 (again)")
    assert Draw.objects.count() == 2


def test_one_win_per_participant(campaign, clock):
    draw = announce(campaign, clock, n=3, allow_repeat=False)
    greedy = ParticipantFactory()
    for _ in range(30):
        entered(campaign, participant=greedy)
    others = [entered(campaign) for _ in range(2)]
    draw = run(draw, clock)
    winners = DrawWinner.objects.filter(draw=draw).select_related("submission")
    assert sorted(w.submission.participant_id for w in winners) == sorted(
        [greedy.pk, *(s.participant_id for s in others)]
    )
    by_entry = {e["entry"]: e["participant"] for e in draw.published["entries"]}
    assert len({by_entry[w] for w in draw.published["winners"]}) == 3
    assert len(set(by_entry.values())) == 3  # 32 entries, 3 pseudonyms


def test_choose_winners_passes_over_a_participant_who_won_unless_repeats_are_allowed():
    entries = [{"entry": f"{i:064x}", "participant": "p1" if i < 2 else f"p{i}"} for i in range(4)]
    # A seed under which p1's two entries rank first and second (the search is deterministic).
    seed = next(
        f"s{k}" for k in range(10_000)
        if {e["participant"] for e in verify_draw.ranked(f"s{k}", entries)[:2]} == {"p1"}
    )  # fmt: skip
    ranked = verify_draw.ranked(seed, entries)
    once = verify_draw.choose_winners(seed, entries, 2, allow_repeat=False)
    assert [w["entry"] for w in once] == [ranked[0]["entry"], ranked[2]["entry"]]
    repeat = verify_draw.choose_winners(seed, entries, 2, allow_repeat=True)
    assert [w["entry"] for w in repeat] == [ranked[0]["entry"], ranked[1]["entry"]]
    assert len(verify_draw.choose_winners(seed, entries, 10, allow_repeat=False)) == 3  # three people in all


def test_pseudonyms_differ_between_draws(campaign, clock):
    person = ParticipantFactory()
    entered(campaign, participant=person)
    first = run(announce(campaign, clock, name="A"), clock)
    second = run(announce(campaign, clock, name="B"), clock)
    assert first.published["entries"][0]["participant"] != second.published["entries"][0]["participant"]
    assert first.published["entries"][0]["entry"] == second.published["entries"][0]["entry"]


def test_only_the_accepted_submissions_of_the_period_count(campaign, clock):
    draw = announce(campaign, clock, n=100)
    inside = [
        entered(campaign, when=datetime(2026, 12, 10, 0, 0)),
        entered(campaign, when=datetime(2026, 12, 16, 23, 59, 59)),
    ]
    entered(campaign, when=datetime(2026, 12, 9, 23, 59, 59))  # the day before, Moscow time
    entered(campaign, when=datetime(2026, 12, 17, 0, 0))  # the day after
    entered(CampaignFactory())  # another campaign
    when = datetime(2026, 12, 12, 10, 0)
    at(campaign, move(waiting(campaign), Status.REJECTED), when)
    revoked = move(accepted(campaign), Status.REVOKED)
    at(campaign, revoked, when)
    at(campaign, move(move(accepted(campaign), Status.MODERATION), Status.REJECTED), when)
    reopened = at(campaign, move(accepted(campaign), Status.MODERATION), when)  # waiting again
    at(campaign, SubmissionFactory(campaign=campaign), when)  # received, unread
    with pytest.raises(draws.DrawRefused, match="still waiting for a decision: 2"):
        run(draw, clock)
    draw = run(draw, clock, allow_pending=True)
    assert sorted(e["entry"] for e in draw.published["entries"]) == sorted(
        verify_draw.entry_of(str(s.pk)) for s in inside
    )
    assert draw.entries_count == 2 and draw.published["pending_left_out"] == 2
    assert set(DrawWinner.objects.values_list("submission_id", flat=True)) == {s.pk for s in inside}
    assert reopened.pk not in set(DrawWinner.objects.values_list("submission_id", flat=True))


def test_the_command_announces_runs_and_publishes(campaign, clock, tmp_path, capsys):
    admin = staff("boss", "run_draw")
    clock(datetime(2026, 12, 9, 12, 0))
    call_command("prize_draw", "announce", campaign.slug, "Week 2", "--from", "2026-12-10", "--to", "2026-12-16",
                 "--winners", "2", "--seed", "public-seed", "--by", "boss")  # fmt: skip
    announced = json.loads(capsys.readouterr().out)
    assert announced["seed"] == "public-seed" and "entries" not in announced
    for _ in range(3):
        entered(campaign)
    clock(datetime(2026, 12, 17, 9, 0))
    call_command("prize_draw", "run", campaign.slug, "Week 2", "--by", "boss")
    assert "3 entries, 2 winners" in capsys.readouterr().out
    with pytest.raises(CommandError, match="runs once"):
        call_command("prize_draw", "run", campaign.slug, "Week 2")
    out = tmp_path / "published.json"
    call_command("prize_draw", "publish", campaign.slug, "Week 2", "--output", str(out))
    record = json.loads(out.read_text(encoding="utf-8"))
    draw = Draw.objects.get()
    assert record == draw.published and draw.announced_by == admin and draw.ran_by == admin
    assert verify(tmp_path, record).returncode == 0
    with pytest.raises(CommandError, match="before the period ends"):
        call_command("prize_draw", "announce", campaign.slug, "Late", "--from", "2026-12-10", "--to",
                     "2026-12-16", "--winners", "1")  # fmt: skip
