#!/usr/bin/env python3
"""Re-runs a Slipcheck prize draw from its published record and prints the winners (prizes/DRAW.md).

Standard library only, so that anyone can run it with any Python 3.8+:

    python3 verify_draw.py draw.json                  # the winners, and whether they match the published ones
    python3 verify_draw.py draw.json --reference ID   # is my upload in the draw, and where does it rank?

The published record is a JSON object with at least `seed`, `entries`, `n` and `allow_repeat`; `winners` and
`entries_sha256`, when present, are checked (exit status 1 on any mismatch). A draw's announcement (published
before it runs, without entries) cannot be checked yet: the script says so (exit status 2). Slipcheck itself draws
with the functions of this file, so the method it runs and the one the public checks are the same code.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys

ENTRY_PREFIX = "slipcheck-entry\n"
REQUIRED = ("seed", "entries", "n", "allow_repeat")
CANNOT_CHECK = 2  # exit status: the record is not one that can be re-run (1 is kept for a mismatch)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_of(reference: str) -> str:
    """A submission's public entry: the SHA-256 of "slipcheck-entry\\n" + its reference (the id on its status
    page). The reference itself is never published: it opens the participant's status page."""
    return sha256_hex(ENTRY_PREFIX + reference.strip().lower())


def ranking_key(seed: str, entry: str) -> str:
    """SHA-256(seed + "\\n" + entry), hex: the lowest key wins first."""
    return sha256_hex(seed + "\n" + entry)


def entry_line(item: dict) -> str:
    """One entry as the digest reads it: "entry" or "entry participant"."""
    participant = item.get("participant")
    return item["entry"] if not participant else f"{item['entry']} {participant}"


def entries_digest(entries: list[dict]) -> str:
    """SHA-256 of the entries' lines sorted, each ended by a newline."""
    return sha256_hex("".join(line + "\n" for line in sorted(entry_line(item) for item in entries)))


def ranked(seed: str, entries: list[dict]) -> list[dict]:
    """Every entry with its key, lowest key first (the entry breaks a tie, which SHA-256 makes impossible)."""
    keyed = [{**item, "key": ranking_key(seed, item["entry"])} for item in entries]
    return sorted(keyed, key=lambda item: (item["key"], item["entry"]))


def choose_winners(seed: str, entries: list[dict], n: int, allow_repeat: bool) -> list[dict]:
    """The first n entries by key; unless repeats are allowed, an entry whose participant already won is passed
    over (so each winner is a different participant). Fewer than n entries (or participants): all of them win."""
    if n < 1:
        raise ValueError("n must be at least 1")
    entry_names = [item["entry"] for item in entries]
    if len(set(entry_names)) != len(entry_names):
        raise ValueError("an entry is listed twice")
    if not allow_repeat and any(not item.get("participant") for item in entries):
        raise ValueError("one win per participant needs every entry's participant pseudonym")
    winners: list[dict] = []
    seen: set[str] = set()
    for item in ranked(seed, entries):
        if len(winners) == n:
            break
        if not allow_repeat:
            if item["participant"] in seen:
                continue
            seen.add(item["participant"])
        winners.append(item)
    return winners


def unchecked_reason(record: object) -> str | None:
    """Why a record cannot be re-run, in plain words; None when it can. An announcement is published before the
    draw runs (its seed, no entries): someone who downloads it early should learn that, not read a traceback."""
    if not isinstance(record, dict):
        return "this file is not a draw record (a JSON object was expected)"
    if "entries" not in record and "seed_announced_at" in record and "ran_at" not in record:
        period = record.get("period") or {}
        last_day = period.get("last_day") if isinstance(period, dict) else None
        when = f"once, after its last day ({last_day})" if last_day else "once, after its period"
        name = record.get("draw", "")
        return (
            f'the draw "{name}" has not run yet: this record is its announcement (its seed '
            f"and rules; no entries or winners yet). The draw runs {when}: check the full record published then."
        )
    missing = [key for key in REQUIRED if key not in record]
    if missing:
        return f"this record cannot be re-run: it has no {', '.join(missing)}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Re-run a Slipcheck prize draw from its published record.")
    parser.add_argument("record", help="the published draw record (JSON); - reads standard input")
    parser.add_argument("--reference", help="your upload's reference (shown on its status page)")
    args = parser.parse_args(argv)
    if args.record == "-":
        record = json.load(sys.stdin)
    else:
        with open(args.record, encoding="utf-8") as file:
            record = json.load(file)
    reason = unchecked_reason(record)
    if reason:
        print(f"NOT CHECKED: {reason}", file=sys.stderr)
        return CANNOT_CHECK

    seed, entries, n, allow_repeat = record["seed"], record["entries"], record["n"], record["allow_repeat"]
    ok = True
    if "entries_sha256" in record:
        digest = entries_digest(entries)
        if digest == record["entries_sha256"]:
            print(f"entries: {len(entries)}, SHA-256 {digest} (as published)")
        else:
            print(f"MISMATCH: the entries hash to {digest}, the record says {record['entries_sha256']}")
            ok = False
    winners = choose_winners(seed, entries, n, allow_repeat)
    print(f"seed: {seed!r}; winners: {n}; one win per participant: {'no' if allow_repeat else 'yes'}")
    for rank, item in enumerate(winners, 1):
        print(f"{rank}\t{item['entry']}\t{item['key']}")
    if "winners" in record:
        if [item["entry"] for item in winners] == list(record["winners"]):
            print("OK: the same winners as published")
        else:
            print("MISMATCH: the published winners differ")
            ok = False
    if args.reference:
        mine = entry_of(args.reference)
        order = [item["entry"] for item in ranked(seed, entries)]
        if mine not in order:
            print(f"your entry {mine} is not in this draw")
        else:
            won = mine in {item["entry"] for item in winners}
            print(
                f"your entry {mine} ranks {order.index(mine) + 1} of {len(order)}{': a winner' if won else ''}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
