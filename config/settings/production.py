"""Production (docker-compose): every secret and address comes from the environment."""

import os

# Checked before base is imported: base would otherwise start an embedded database.
for required in (
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SECRET_KEY",
    "FIELD_ENCRYPTION_SALT",
    "ID_NUMBER_HASH_KEY",
):
    if not os.environ.get(required):
        raise RuntimeError(f"production settings require {required}")

from .base import *  # noqa: E402, F403
from .base import env_bool  # noqa: E402

DEBUG = False
# Trust X-Forwarded-Proto only behind a proxy that sets it (DJANGO_BEHIND_PROXY=1).
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", False)
# HSTS: browsers keep to HTTPS for a year once they saw the site over HTTPS (they ignore
# the header over plain HTTP); 0 turns it off.
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
