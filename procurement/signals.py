"""Signals procurement sends for the apps above it (which it never imports).

``contract_terminated`` is sent inside the termination's transaction and history context
with ``contract`` (terminated, ``live_until`` its last day), ``on`` (that day) and
``actor`` (the membership that terminated it): workforce ends the posts held under it.
"""

from __future__ import annotations

from django.dispatch import Signal

contract_terminated = Signal()
