"""Rate limits hold across processes: two web processes count one client in the same Redis."""

import os
import subprocess
import sys
import uuid

import pytest
from django.test import RequestFactory

from promo.ratelimit import RateLimited, upload_rate_check
from tests.integration.test_worker import ROOT, services_or_skip

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

OTHER_PROCESS = """
import django, sys
django.setup()
from django.conf import settings
from django.test import RequestFactory
from promo.ratelimit import RateLimited, upload_rate_check
settings.SLIPCHECK_UPLOAD_RATE = "3/day"
request = RequestFactory().post("/", REMOTE_ADDR=sys.argv[1])
for _ in range(3):
    upload_rate_check(request=request, contact=None)
print("three counted")
"""


def test_another_process_uses_up_the_limit_this_one_enforces(settings):
    redis_url = services_or_skip()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    settings.SLIPCHECK_UPLOAD_RATE = "3/day"
    address = f"198.51.100.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:6]}"  # fresh for this run
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "CACHE_URL": redis_url.replace("redis://", "rediscache://")}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, address],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "three counted" in done.stdout, done.stderr[-2000:]
    with pytest.raises(RateLimited):
        upload_rate_check(request=RequestFactory().post("/", REMOTE_ADDR=address), contact=None)
