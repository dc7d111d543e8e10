"""Photos in S3-compatible object storage: Django's default storage and Submission.photo against a local S3
(moto's server, over HTTP like MinIO), configured as base.py builds STORAGES from STORAGE_BACKEND=s3."""

import runpy
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

moto_server = pytest.importorskip("moto.server", reason="moto[server] is not installed")

import boto3  # noqa: E402  (after the skip: moto brings it in the dev dependencies)
from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402

from promo.models import Submission  # noqa: E402
from tests.factories import SubmissionFactory, jpeg_bytes  # noqa: E402

BASE_SETTINGS = Path(__file__).resolve().parent.parent.parent / "config" / "settings" / "base.py"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
REGION = "us-east-1"
PREFIX = "slipcheck/test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def s3_client(s3_endpoint):
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


@pytest.fixture
def bucket(s3_endpoint, s3_client, settings, monkeypatch) -> str:
    """A fresh bucket, and STORAGES["default"] pointing at it as base.py reads it from the environment."""
    name = f"slips-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    variables = {
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": name,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_LOCATION": PREFIX,
        **FAKE_CREDENTIALS,
    }
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)
    storages = runpy.run_path(str(BASE_SETTINGS))["STORAGES"]
    for variable in variables:  # the storage has what it needs in OPTIONS, nothing from the environment
        monkeypatch.delenv(variable)
    assert storages["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = {**settings.STORAGES, "default": storages["default"]}
    return name


def keys(s3_client, bucket: str) -> list[str]:
    return [item["Key"] for item in s3_client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_default_storage_saves_opens_lists_and_deletes_in_the_bucket(bucket, s3_client):
    name = default_storage.save("probe/hello.txt", ContentFile(b"hello, bucket"))
    assert name == "probe/hello.txt"
    assert keys(s3_client, bucket) == [f"{PREFIX}/probe/hello.txt"]
    assert type(default_storage._wrapped).__name__ == "S3Storage"

    with default_storage.open(name, "rb") as stored:
        assert stored.read() == b"hello, bucket"
    assert default_storage.size(name) == len(b"hello, bucket")
    assert default_storage.listdir("probe") == ([], ["hello.txt"])

    # file_overwrite is off: a second upload under the same name gets its own key.
    second = default_storage.save("probe/hello.txt", ContentFile(b"another"))
    assert second != name
    with default_storage.open(name, "rb") as stored:
        assert stored.read() == b"hello, bucket"

    default_storage.delete(name)
    default_storage.delete(second)
    assert not default_storage.exists(name)
    assert keys(s3_client, bucket) == []


def test_photos_are_private_and_only_reachable_by_signed_urls(bucket, s3_client):
    name = default_storage.save("probe/private.jpg", ContentFile(b"personal data"))
    grants = s3_client.get_object_acl(Bucket=bucket, Key=f"{PREFIX}/{name}")["Grants"]
    assert not [grant for grant in grants if "AllUsers" in grant["Grantee"].get("URI", "")]
    assert "Signature=" in default_storage.url(name)


@pytest.mark.django_db
def test_submission_photo_round_trips_through_the_bucket(bucket, s3_client, campaign):
    photo = jpeg_bytes(colour="gray")
    submission = SubmissionFactory(campaign=campaign, photo=ContentFile(photo, name="slip.jpg"))

    stored = Submission.objects.get(pk=submission.pk).photo
    assert stored.name.startswith(f"submissions/{campaign.slug}/") and stored.name.endswith(
        f"{submission.pk}.jpg"
    )
    assert keys(s3_client, bucket) == [f"{PREFIX}/{stored.name}"]
    with stored.open("rb") as handle:
        assert handle.read() == photo

    stored.storage.delete(stored.name)
    assert keys(s3_client, bucket) == []
