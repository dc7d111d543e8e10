"""The job model's migration on rows the earlier code left: nothing in flight is stranded without a claim."""

import uuid
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE, AFTER = ("promo", "0004_intake_privacy"), ("promo", "0005_jobs_and_campaign_scoped_probes")
DOCUMENTS = ("promo", "0006_campaign_documents")


@pytest.mark.django_db(transaction=True)
def test_rows_in_flight_get_a_deadline_and_readings_their_campaign():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    apps = executor.loader.project_state([BEFORE]).apps
    Campaign, Participant = apps.get_model("promo", "Campaign"), apps.get_model("promo", "Participant")
    Submission, Recognition = apps.get_model("promo", "Submission"), apps.get_model("promo", "Recognition")
    campaign = Campaign.objects.create(
        slug="m", name="m", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    participant = Participant.objects.create(contact="m@example.com", contact_kind="email")
    started = timezone.now() - timedelta(minutes=3)
    common = {"campaign": campaign, "participant": participant, "photo_sha256": "0" * 64, "typed_amount": 1, "typed_card_last4": "1234"}  # fmt: skip
    in_flight = Submission.objects.create(
        id=uuid.uuid4(), status="processing", processing_started_at=started, **common
    )
    waiting = Submission.objects.create(id=uuid.uuid4(), status="received", **common)
    Recognition.objects.create(submission=waiting, engine="e", kind="slip")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([AFTER])
    apps = executor.loader.project_state([AFTER]).apps
    Submission, Recognition = apps.get_model("promo", "Submission"), apps.get_model("promo", "Recognition")
    assert Submission.objects.get(pk=in_flight.pk).claim_expires_at == started  # the sweep takes it over
    assert Submission.objects.get(pk=waiting.pk).enqueued_at is not None
    assert Recognition.objects.get(submission_id=waiting.pk).campaign_id == campaign.pk

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


FISCAL_BEFORE, FISCAL_AFTER = DOCUMENTS, ("promo", "0007_recognition_fiscal")


@pytest.mark.django_db(transaction=True)
def test_readings_stored_before_the_fiscal_qr_have_none_and_the_probe_has_its_index():
    executor = MigrationExecutor(connection)
    executor.migrate([FISCAL_BEFORE])
    apps = executor.loader.project_state([FISCAL_BEFORE]).apps
    Campaign, Participant = apps.get_model("promo", "Campaign"), apps.get_model("promo", "Participant")
    Submission, Recognition = apps.get_model("promo", "Submission"), apps.get_model("promo", "Recognition")
    campaign = Campaign.objects.create(
        slug="f", name="f", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    participant = Participant.objects.create(contact="f@example.com", contact_kind="email")
    submission = Submission.objects.create(
        id=uuid.uuid4(), campaign=campaign, participant=participant, photo_sha256="0" * 64, typed_amount=1,
        typed_card_last4="1234",
    )  # fmt: skip
    Recognition.objects.create(submission=submission, campaign=campaign, engine="e", kind="slip")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([FISCAL_AFTER])
    apps = executor.loader.project_state([FISCAL_AFTER]).apps
    stored = apps.get_model("promo", "Recognition").objects.get(submission_id=submission.pk)
    assert (stored.fiscal_fn, stored.fiscal_i, stored.fiscal_fp, stored.fiscal_operation) == (
        "",
        "",
        "",
        None,
    )
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "promo_recognition")
    assert constraints["recognition_fiscal"]["columns"] == [
        "campaign_id",
        "fiscal_fn",
        "fiscal_i",
        "fiscal_fp",
    ]
    assert constraints["recognition_fiscal"]["index"]

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([FISCAL_BEFORE])  # and back: the columns and the index go
    with connection.cursor() as cursor:
        assert "recognition_fiscal" not in connection.introspection.get_constraints(
            cursor, "promo_recognition"
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_campaigns_keep_taking_the_slip():
    executor = MigrationExecutor(connection)
    executor.migrate([AFTER])
    Campaign = executor.loader.project_state([AFTER]).apps.get_model("promo", "Campaign")
    campaign = Campaign.objects.create(
        slug="old", name="old", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([DOCUMENTS])
    Campaign = executor.loader.project_state([DOCUMENTS]).apps.get_model("promo", "Campaign")
    assert Campaign.objects.get(pk=campaign.pk).documents == ["slip"]

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


FACTS_BEFORE, FACTS_AFTER = ("promo", "0010_verbose_names"), ("promo", "0011_report_facts")


@pytest.mark.django_db(transaction=True)
def test_stored_decisions_get_their_automatic_outcome_from_the_audit_trail():
    executor = MigrationExecutor(connection)
    executor.migrate([FACTS_BEFORE])
    apps = executor.loader.project_state([FACTS_BEFORE]).apps
    Campaign, Participant = apps.get_model("promo", "Campaign"), apps.get_model("promo", "Participant")
    Submission, Transition = (
        apps.get_model("promo", "Submission"),
        apps.get_model("promo", "StatusTransition"),
    )
    campaign = Campaign.objects.create(
        slug="r", name="r", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    participant = Participant.objects.create(contact="r@example.com", contact_kind="email")
    common = {"campaign": campaign, "participant": participant, "photo_sha256": "0" * 64, "typed_amount": 1, "typed_card_last4": "1234"}  # fmt: skip
    overturned = Submission.objects.create(id=uuid.uuid4(), status="accepted", **common)
    for before, after in [("", "received"), ("received", "processing"), ("processing", "rejected"),
                          ("rejected", "moderation"), ("moderation", "accepted")]:  # fmt: skip
        Transition.objects.create(submission=overturned, from_status=before, to_status=after, actor="x")
    waiting = Submission.objects.create(id=uuid.uuid4(), status="received", **common)
    no_trail = Submission.objects.create(id=uuid.uuid4(), status="rejected", **common)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([FACTS_AFTER])
    Submission = executor.loader.project_state([FACTS_AFTER]).apps.get_model("promo", "Submission")
    first = Transition.objects.get(submission_id=overturned.pk, to_status="rejected")
    row = Submission.objects.get(pk=overturned.pk)
    assert (row.auto_outcome, row.auto_decided_at) == ("rejected", first.created_at)
    assert Submission.objects.get(pk=waiting.pk).auto_outcome == ""
    assert Submission.objects.get(pk=no_trail.pk).auto_outcome == ""  # unknown, not invented
    assert Submission.objects.get(pk=no_trail.pk).channel == ""

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
