import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from promo.models import Campaign, Submission

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_campaign_is_idempotent_and_validates():
    args = ["create_campaign", "summer", "--name", "Summer", "--starts", "2026-06-01", "--ends", "2026-08-31"]
    assert "created" in run(
        *args, "--min-amount", "500", "--payment-systems", "visa,MIR", "--timezone", "Asia/Omsk"
    )
    assert "updated" in run(
        *args, "--min-amount", "500", "--payment-systems", "visa,MIR", "--timezone", "Asia/Omsk"
    )
    campaign = Campaign.objects.get()
    assert (campaign.min_amount, campaign.payment_systems, campaign.timezone) == (
        Decimal("500"),
        ["VISA", "MIR"],
        "Asia/Omsk",
    )
    assert campaign.starts_at.isoformat() == "2026-06-01T00:00:00+06:00"
    with pytest.raises(CommandError, match=r"payment_systems: .*DINERS"):
        run(*args, "--payment-systems", "DINERS")
    with pytest.raises(CommandError, match=r"timezone: .*Mars"):
        run(*args, "--timezone", "Mars/Olympus")
    with pytest.raises(CommandError):
        run("create_campaign", "x", "--name", "X", "--starts", "2026-06-01", "--ends", "2026-05-01")


def test_create_campaign_sets_the_operating_point_limits_and_policy():
    args = ["create_campaign", "winter", "--name", "Winter", "--starts", "2026-12-01", "--ends", "2026-12-31"]
    run(
        *args,
        "--min-confidence",
        "0.8",
        "--max-per-day",
        "2",
        "--max-per-campaign",
        "10",
        "--on-failure",
        "amount_mismatch=moderation",
    )
    campaign = Campaign.objects.get(slug="winter")
    rules = campaign.rules()
    assert (rules.min_confidence, rules.max_accepted_per_day, rules.max_accepted_per_campaign) == (0.8, 2, 10)
    assert (
        rules.on_failure("amount_mismatch") == "moderation" and rules.on_failure("card_mismatch") == "reject"
    )
    with pytest.raises(CommandError, match="failure_policy"):
        run(*args, "--on-failure", "looks_odd=reject")
    with pytest.raises(CommandError, match="failure_policy"):
        run(*args, "--on-failure", "amount_mismatch=ignore")


def test_create_campaign_sets_the_documents_and_an_update_without_them_keeps_them():
    args = ["create_campaign", "docs", "--name", "Docs", "--starts", "2026-06-01", "--ends", "2026-08-31"]
    assert "documents slip\n" in run(*args)  # a new campaign takes the slip, as every campaign did before
    out = run(*args, "--documents", "receipt,slip, card_receipt")
    assert "updated" in out and "documents slip,card_receipt,receipt" in out
    campaign = Campaign.objects.get(slug="docs")
    assert campaign.documents == ["slip", "card_receipt", "receipt"]
    assert campaign.rules().documents == ("slip", "card_receipt", "receipt")
    run(*args, "--min-amount", "100")  # documents chosen earlier (here, or in the admin) are kept
    assert Campaign.objects.get(slug="docs").documents == ["slip", "card_receipt", "receipt"]
    run(*args, "--documents", "card_receipt")
    assert Campaign.objects.get(slug="docs").documents == ["card_receipt"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--documents", "slip,cash"], r"--documents: unknown documents: cash \(known: slip, card_receipt, receipt\)"),
        (["--documents", ""], "--documents: name at least one document"),
        (["--documents", "receipt", "--payment-systems", "VISA"], "documents: .*payment system"),
    ],
)  # fmt: skip
def test_create_campaign_refuses_unknown_documents_and_any_receipt_with_a_payment_system(extra, message):
    args = ["create_campaign", "docs", "--name", "Docs", "--starts", "2026-06-01", "--ends", "2026-08-31"]
    with translation.override("en"), pytest.raises(CommandError, match=message):
        run(*args, *extra)
    assert not Campaign.objects.exists()


def write_photo(folder, name: str, photo: bytes) -> str:
    (folder / name).write_bytes(photo)
    return name


# submit_batch commits each submission as the API does, so these tests need real transactions.
@pytest.mark.django_db(transaction=True)
def test_submit_batch_decides_every_line(tmp_path, campaign, slip, landscape):
    photo, truth = slip
    lines = [
        {"image": write_photo(tmp_path, "slip.jpg", photo), "amount": str(truth.amount), "card_last4": truth.card_last4, "contact": "+79990000001", "consent": True},
        {"image": write_photo(tmp_path, "view.jpg", landscape), "amount": "10.00", "card_last4": "1234", "contact": "+79990000002", "consent": True},
    ]  # fmt: skip
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    printed = [
        json.loads(line)
        for line in run(
            "submit_batch", "--campaign", campaign.slug, str(batch), "--timeout", "30"
        ).splitlines()
    ]
    assert [(p["image"], p["status"]) for p in printed] == [
        ("slip.jpg", "accepted"),
        ("view.jpg", "rejected"),
    ]
    assert [r["code"] for r in printed[1]["reasons"]] == ["not_a_slip"]
    assert all(
        set(p) == {"image", "id", "status", "reasons", "seconds"} and p["seconds"] > 0 for p in printed
    )
    assert set(Submission.objects.values_list("channel", flat=True)) == {Submission.Channel.BATCH}
    assert Submission.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_submit_batch_reports_bad_lines_and_goes_on(tmp_path, campaign, landscape):
    batch = tmp_path / "batch.jsonl"
    good = {"image": write_photo(tmp_path, "view.jpg", landscape), "amount": "1", "card_last4": "1234", "contact": "+79990000002", "consent": True}  # fmt: skip
    batch.write_text("\n".join([json.dumps({"image": "missing.jpg"}), "not json", json.dumps({**good, "card_last4": "12"}), json.dumps(good)]))  # fmt: skip
    out = StringIO()
    with pytest.raises(CommandError, match="3 line"):
        call_command("submit_batch", "--campaign", campaign.slug, str(batch), "--timeout", "30", stdout=out)
    printed = [json.loads(line) for line in out.getvalue().splitlines()]
    assert "no such file" in printed[0]["error"]
    assert printed[1]["line"] == 2
    assert "card_last4" in printed[2]["error"]
    assert printed[3]["status"] == "rejected"


def test_recognize_prints_the_eval_format(tmp_path, slip):
    photo, truth = slip
    path = tmp_path / "slip.jpg"
    path.write_bytes(photo)
    (tmp_path / "broken.jpg").write_bytes(b"nope")
    out = StringIO()
    with pytest.raises(CommandError, match="1 image"):
        call_command("recognize", "--jsonl", str(path), str(tmp_path / "broken.jpg"), stdout=out)
    read, broken = (json.loads(line) for line in out.getvalue().splitlines())
    expected = truth.to_label(str(path))
    for key in ("image", "kind", "date", "time", "card_last4", "payment_system"):
        assert read[key] == expected[key], key
    assert read["amount"] == f"{truth.amount:.2f}"  # a string, never a float
    assert set(read["confidence"]) >= {
        "kind",
        "amount",
        "date",
        "time",
        "card_last4",
        "payment_system",
        "merchant",
    }
    assert read["ms"] > 0
    assert broken["image"].endswith("broken.jpg") and broken["error"]


def test_recognize_reads_a_labels_file(tmp_path, slip):
    (tmp_path / "a.jpg").write_bytes(slip[0])
    (tmp_path / "labels.jsonl").write_text(json.dumps({"image": "a.jpg"}) + "\n")
    printed = json.loads(run("recognize", "--jsonl", str(tmp_path / "labels.jsonl")))
    assert printed["image"] == "a.jpg" and printed["kind"] == "slip"


def test_setup_demo_prints_working_credentials(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first = run("setup_demo", "--no-traffic")
    password = first.split("password: ")[1].strip()
    from django.contrib.auth import authenticate

    assert authenticate(username="admin", password=password) is not None
    assert password in run("setup_demo", "--no-traffic")  # the same credentials the second time
    assert (
        Campaign.objects.get(slug="demo").starts_on
        <= date.today()
        <= Campaign.objects.get(slug="demo").ends_on
    )


def test_evaluate_decisions_runs_honest_and_dishonest_submissions_and_leaves_nothing(tmp_path):
    from evaluation.synthetic import write_eval_set

    write_eval_set(
        tmp_path,
        2,
        seed=4,
        kinds={"slip": 1.0},
        start=date(2026, 10, 1),
        end=date(2026, 10, 31),
        strength=0.2,
    )
    out = run(
        "evaluate_decisions", str(tmp_path), "--sweep", "--json", str(tmp_path / "out.json"),
        "--documents", "card_receipt,slip",
    )  # fmt: skip
    result = json.loads((tmp_path / "out.json").read_text())
    figures = result["figures"]
    assert result["documents"] == ["slip", "card_receipt"] and "documents accepted: slip,card_receipt" in out
    assert figures["honest_by_kind"]["slip"].get("accepted", 0) >= 1
    assert figures["honest"] == 2 and figures["dishonest"] >= 2 * 5
    assert figures["by_variant"]["copy_reencoded"].get("accepted", 0) == 0
    assert "false-accept rate" in out and "threshold" in out
    assert not Submission.objects.exists() and not Campaign.objects.exists()


def test_evaluate_decisions_refuses_unknown_documents(tmp_path):
    with pytest.raises(CommandError, match="unknown documents: cash"):
        run("evaluate_decisions", str(tmp_path), "--documents", "slip,cash")


def test_bench_dedupe_prints_lookup_times_and_recall_and_cleans_up():
    out = run("bench_dedupe", "--n", "3000", "--queries", "50", "--verbosity", "0")
    assert "p95" in out and "recall on near copies: 50/50 = 100.0%" in out
    assert "copies caught: 50/50 = 100.0%" in out and "new slips taken for copies: 0/50" in out
    assert not Submission.objects.exists()
