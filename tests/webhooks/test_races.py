"""Two workers handed the same delivery at the same instant (a redelivered message, the sweep and the first
message) send it once: the claim is one conditional UPDATE, on PostgreSQL with real concurrent connections."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from tests.webhooks.conftest import decided
from webhooks.deliveries import delivery_attempt
from webhooks.models import Attempt, Delivery

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (concurrent connections): `make test` runs it in its services pass")


def test_two_workers_claiming_one_delivery_send_it_once(campaign, endpoint, receiver):
    for _ in range(6):
        decided(campaign)
    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert len(ids) == 6

    def worker(delivery_id, barrier):
        try:
            barrier.wait(timeout=30)
            return delivery_attempt(delivery_id=delivery_id)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        for delivery_id in ids:
            barrier = threading.Barrier(2)
            results = [
                f.result(timeout=60) for f in [pool.submit(worker, delivery_id, barrier) for _ in range(2)]
            ]
            assert sum(result is not None for result in results) == 1

    assert len(receiver.received) == 6
    assert sorted(Attempt.objects.values_list("delivery_id", flat=True)) == sorted(ids)
    assert set(Delivery.objects.values_list("status", "attempts")) == {("delivered", 1)}
