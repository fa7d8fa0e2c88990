"""One machine: `make run` (gunicorn, DEBUG off) and `make dev` (runserver, DEBUG on).

DEBUG is on only when DJANGO_DEBUG=1: a debug page lists every URL pattern and
shows settings and tracebacks to anyone who can reach the server.
"""

import os
import secrets

from .base import *  # noqa: F403
from .base import DATA_DIR, env_bool

if not os.environ.get("DJANGO_SECRET_KEY"):
    # One random key per machine, kept beside the embedded database: sessions and
    # password-reset links cannot be forged with a key published in the source.
    _key_file = DATA_DIR / "secret-key"
    if not _key_file.exists():
        _key_file.parent.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

DEBUG = env_bool("DJANGO_DEBUG", False)
