"""The test suite: `make test`.

Each pytest-xdist worker gets its own Celery queue (a Redis database or a
filesystem folder) and media folder, so that the Celery worker a test starts
only takes that test process's tasks. The worker subprocess inherits
PYTEST_XDIST_WORKER and so computes the same values.
"""

import os
import re

from .base import *  # noqa: F403
from .base import DATA_DIR, REDIS_URL

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Each test process counts for itself, and the suite is not throttled (the throttle and
# lockout tests turn them on for themselves).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"},
}
AXES_ENABLED = False

XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_worker_number = int(re.sub(r"\D", "", XDIST_WORKER) or 0)

MEDIA_ROOT = DATA_DIR / "test-media" / os.environ.get("TEST_DATABASE_NAME", "") / XDIST_WORKER

if REDIS_URL:
    # Redis databases 1–15 are for test processes; 0 stays the developer's. Two
    # suites run at once on one Redis give each a different TEST_REDIS_DB_BASE.
    _redis_db = int(os.environ.get("TEST_REDIS_DB_BASE", "1")) + _worker_number
    CELERY_BROKER_URL = re.sub(r"/\d*$", "", REDIS_URL.rstrip("/")) + f"/{1 + (_redis_db - 1) % 15}"
else:
    CELERY_QUEUE_DIR = DATA_DIR / "test-queue" / XDIST_WORKER
    (CELERY_QUEUE_DIR / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }

# Static files come from the finders (no collectstatic in tests).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = DATA_DIR / "test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Several suites may share one server (a developer running two at once): each
# can name its own test database.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}  # noqa: F405
