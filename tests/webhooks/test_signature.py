"""The verification recipe the README gives is the code tested: the block is read from README.md and run against a
request a real delivery made to a real receiver."""

import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.webhooks.conftest import decided, only_delivery
from webhooks import signing
from webhooks.deliveries import delivery_attempt, endpoint_rotate_secret, request_headers
from webhooks.models import SECRET_PREFIX

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"


def readme_recipe():
    """`verify` as defined by the one Python block of the README's "Webhooks" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Webhooks\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, "the Webhooks section has exactly one Python block: the recipe"
    namespace: dict = {}
    exec(compile(blocks[0], "README.md#webhooks", "exec"), namespace)
    return namespace["verify"]


def test_the_readme_recipe_verifies_a_real_delivery_and_refuses_tampering(campaign, endpoint, receiver):
    verify = readme_recipe()
    submission = decided(campaign)
    delivery_attempt(delivery_id=only_delivery().pk)
    (request,) = receiver.received
    header = request.headers[signing.SIGNATURE_HEADER]
    assert endpoint.secret.startswith(SECRET_PREFIX)
    assert verify(endpoint.secret, request.body, header)
    # What the receiver then reads.
    event = json.loads(request.body)
    assert event["id"] == request.headers[signing.EVENT_ID_HEADER]
    assert event["submission"]["id"] == str(submission.pk)
    # A changed body, another secret, a stripped or doubled timestamp: refused.
    assert not verify(endpoint.secret, request.body.replace(b"accepted", b"rejected"), header)
    assert not verify(endpoint.secret + "x", request.body, header)
    assert not verify(endpoint.secret, request.body, header.split(",", 1)[1])
    assert not verify(endpoint.secret, request.body, f"t=1,{header}")
    assert not verify(endpoint.secret, request.body, "")


def test_the_recipe_refuses_a_timestamp_older_than_five_minutes():
    verify = readme_recipe()
    body = b'{"id": "x"}'
    for age, accepted in [(0, True), (290, True), (310, False), (3600, False), (-310, False)]:
        stamp = int(time.time()) - age
        header = signing.signature_header(secrets=["whsec_k"], timestamp=stamp, body=body)
        assert verify("whsec_k", body, header) is accepted, age


@pytest.mark.parametrize(
    "header",
    [
        "t={now},v1=é",  # not ASCII: compare_digest refuses such text
        "t={now},v1=" + "ж" * 64,
        "t=" + "9" * 5000 + ",v1=00",  # more digits than int() converts
        "t=١٢٣,v1=00",  # digits, not ASCII
        "t={now},v1=",
        "garbage",
    ],
)
def test_the_recipe_says_no_to_a_forged_header_without_raising(header):
    """An unsigned request must get a clean refusal (401 in the receiver), never an exception (a 500)."""
    verify = readme_recipe()
    assert verify("whsec_k", b"{}", header.replace("{now}", str(int(time.time())))) is False


def test_after_a_rotation_both_secrets_verify_for_a_day_then_only_the_new_one(campaign, endpoint, receiver):
    verify = readme_recipe()
    old = endpoint.secret
    endpoint_rotate_secret(endpoint=endpoint)
    assert endpoint.secret != old
    decided(campaign)
    delivery_attempt(delivery_id=only_delivery().pk)
    request = receiver.received[-1]
    header = request.headers[signing.SIGNATURE_HEADER]
    assert header.count("v1=") == 2
    assert verify(endpoint.secret, request.body, header) and verify(old, request.body, header)
    # A day later the old secret no longer signs.
    endpoint.refresh_from_db()
    later = request_headers(
        delivery=only_delivery(),
        timestamp=int(time.time()),
        body=request.body,
        now=timezone.now() + timedelta(hours=25),
    )[signing.SIGNATURE_HEADER]
    assert later.count("v1=") == 1
    assert verify(endpoint.secret, request.body, later) and not verify(old, request.body, later)
