"""Settings fail closed: every entry point but manage.py runs production, which refuses to start half-configured.

Each case imports the settings in a fresh interpreter, as a server or worker would start.
"""

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
REQUIRED = ("SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS")
# What the README documents for production (the services are not contacted by these checks).
PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "slips.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/slipcheck",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}
# Anything the calling shell or CI may have set that would change what is being tested.
SCRUBBED_PREFIXES = ("DJANGO_", "AWS_", "SECURE_", "STORAGE_", "CELERY_")
SCRUBBED = {*REQUIRED, "DEBUG", "CACHE_URL", "VAR_DIR"}


def run(
    code: str | None = None, *, args: list[str] | None = None, **variables: str
) -> subprocess.CompletedProcess:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in SCRUBBED and not name.startswith(SCRUBBED_PREFIXES)
    }
    environment.update(variables)
    command = [sys.executable, *(args if args is not None else ["-c", code])]
    return subprocess.run(command, cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120)


def production_env(**overrides: str) -> dict[str, str]:
    return {"DJANGO_SETTINGS_MODULE": "config.settings.production", **PRODUCTION_ENV, **overrides}


def test_production_starts_with_the_documented_variables():
    result = run(
        "from config.settings import production as s; print(s.DEBUG, s.ALLOWED_HOSTS)", **PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['slips.example.com']"


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_refuses_to_start_and_names_what_is_missing(missing):
    variables = {name: value for name, value in PRODUCTION_ENV.items() if name != missing}
    result = run("import config.settings.production", **variables)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured")
    assert last_line.endswith(f"not set: {missing}")


def test_production_names_every_missing_variable_at_once():
    result = run("import config.settings.production")
    assert result.returncode != 0
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .endswith("not set: SECRET_KEY, DATABASE_URL, CELERY_BROKER_URL, ALLOWED_HOSTS")
    )


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi", "config.celery"])
def test_servers_and_workers_default_to_production(module):
    code = (
        f"import {module}; from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"
    )
    configured = run(code, **PRODUCTION_ENV)
    assert configured.returncode == 0, configured.stderr
    assert configured.stdout.strip() == "config.settings.production False"
    # Started with nothing set, it fails instead of serving in debug mode with a committed key.
    bare = run(code)
    assert bare.returncode != 0
    assert "ImproperlyConfigured" in bare.stderr and "SECRET_KEY" in bare.stderr


def test_manage_py_stays_on_local_settings(tmp_path):
    code = "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"
    result = run(args=["manage.py", "shell", "-c", code], VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "config.settings.local True"


def test_check_deploy_has_no_warnings():
    result = run(args=["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output and "security." not in output
    assert "System check identified no issues" in output


def test_production_keeps_whitenoise_for_static_files_and_base_storage_for_photos():
    code = "from config.settings import production as s; print(s.STORAGES['staticfiles']['BACKEND'], s.STORAGES['default']['BACKEND'])"
    result = run(code, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "django.core.files.storage.FileSystemStorage",
    ]


def base_storages(monkeypatch: pytest.MonkeyPatch, **variables: str) -> dict:
    """STORAGES as base.py builds it from these variables (the module is run afresh, not imported)."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "STORAGE_")):
            monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_DIR / "config" / "settings" / "base.py"))["STORAGES"]


def test_photos_are_on_the_filesystem_by_default(monkeypatch):
    storages = base_storages(monkeypatch)
    assert storages["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert storages["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"


def test_s3_photo_storage_is_private_and_read_from_the_environment(monkeypatch):
    storages = base_storages(
        monkeypatch,
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="slips",
        AWS_S3_ENDPOINT_URL="https://minio.internal:9000",
        AWS_S3_REGION_NAME="ru-central1",
        AWS_ACCESS_KEY_ID="key-id",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_LOCATION="slipcheck/prod",
    )
    assert storages["default"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "slips",
            "location": "slipcheck/prod",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "endpoint_url": "https://minio.internal:9000",
            "region_name": "ru-central1",
            "access_key": "key-id",
            "secret_key": "secret",
        },
    }


def test_s3_without_credentials_leaves_them_to_boto3(monkeypatch):
    options = base_storages(monkeypatch, STORAGE_BACKEND="s3", AWS_STORAGE_BUCKET_NAME="slips")["default"][
        "OPTIONS"
    ]
    assert "access_key" not in options and "secret_key" not in options and "endpoint_url" not in options


def test_s3_requires_a_bucket(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        base_storages(monkeypatch, STORAGE_BACKEND="s3")


def test_an_unknown_storage_backend_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="STORAGE_BACKEND"):
        base_storages(monkeypatch, STORAGE_BACKEND="gcs")
