"""One Idempotency-Key sent by several requests at the same instant, for real on PostgreSQL: threads with their own
connections all look for the key before any stores it (a barrier right after the look), so only the unique index
keeps them to one submission. The losers answer with the winner's submission and leave no file behind."""

import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.db import connection, connections
from django.test import Client
from rest_framework.test import APIClient

from promo import idempotency
from promo.models import Submission
from tests.conftest import generated_photo
from tests.promo.test_idempotency import KEY, fields, stored_files

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
THREADS = 6


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (concurrent connections): `make test` runs it in its services pass")


def all_at_once(post, threads: int = THREADS):
    """Runs `post` in `threads` threads whose key lookups all finish before any of them stores anything."""
    barrier = threading.Barrier(threads, timeout=60)
    real = idempotency.replayed_submission

    def look_then_wait(**kwargs):
        found = real(**kwargs)
        barrier.wait()
        return found

    def run(n):
        try:
            return post(n)
        finally:
            connections.close_all()

    with (
        mock.patch.object(idempotency, "replayed_submission", side_effect=look_then_wait),
        ThreadPoolExecutor(max_workers=threads) as pool,
    ):
        return list(pool.map(run, range(threads)))


def test_simultaneous_api_posts_with_one_key_make_one_submission(campaign, settings):
    photo = generated_photo(31)[0]

    def post(_):
        return APIClient().post(
            f"/api/v1/campaigns/{campaign.slug}/submissions/",
            fields(photo),
            format="multipart",
            HTTP_IDEMPOTENCY_KEY=KEY,
        )

    responses = all_at_once(post)
    assert sorted(response.status_code for response in responses) == [200] * (THREADS - 1) + [202]
    assert {response.json()["id"] for response in responses} == {str(Submission.objects.get().pk)}
    assert len(stored_files(settings)) == 2  # the winner's working copy and original; the losers' deleted


def test_simultaneous_page_posts_of_one_form_make_one_submission(campaign, settings):
    photo = generated_photo(32)[0]

    def post(_):
        return Client().post(
            f"/c/{campaign.slug}/", {**fields(photo), "consent": "on", "idempotency_key": KEY}
        )

    responses = all_at_once(post)
    submission = Submission.objects.get()
    assert {(response.status_code, response["Location"]) for response in responses} == {
        (302, f"/s/{submission.pk}/")
    }
    assert submission.idempotency_key == KEY and len(stored_files(settings)) == 2


def test_simultaneous_api_posts_with_one_key_and_other_input_store_one(campaign, settings):
    def post(n):
        return APIClient().post(
            f"/api/v1/campaigns/{campaign.slug}/submissions/",
            fields(generated_photo(33)[0], amount=f"{100 + n}.00"),
            format="multipart",
            HTTP_IDEMPOTENCY_KEY=KEY,
        )

    responses = all_at_once(post)
    assert sorted(response.status_code for response in responses) == [202] + [422] * (THREADS - 1)
    assert {r.json()["code"] for r in responses if r.status_code == 422} == {"idempotency_key_reused"}
    assert Submission.objects.count() == 1 and len(stored_files(settings)) == 2
