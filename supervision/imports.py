"""The spreadsheet imports of the supervision app (collected by stations.registry.import_kinds)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from stations.registry import ImportKind
from supervision import permissions
from supervision.session_import import session_template, sessions_import
from supervision.sheets import SESSION_SHEET

IMPORT_KINDS = [
    ImportKind(
        code="supervision_sessions",
        label=_("督导记录"),
        noun=_("督导记录"),
        spec=SESSION_SHEET,
        run=sessions_import,
        may_import=permissions.can_import_sessions,
        template=session_template,
        list_url="supervision:home",
        upload_url="supervision:session-import",
    ),
]
