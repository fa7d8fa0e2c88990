"""Who acted: every service writes inside ``acting`` so history rows name the user or job."""

from __future__ import annotations

from contextlib import contextmanager

import pghistory
from django.db import transaction


@contextmanager
def acting(user=None, **metadata):
    """One transaction whose history rows record ``user`` and ``metadata``."""
    if user is not None:
        metadata["user"] = user.pk
        metadata["username"] = user.get_username()
    with transaction.atomic(), pghistory.context(**metadata):
        yield
