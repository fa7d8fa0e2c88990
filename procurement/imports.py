"""The spreadsheet imports of the procurement app (collected by stations.registry.import_kinds)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from procurement import permissions
from procurement.organisation_import import organisation_template, organisations_import
from procurement.sheets import ORGANISATION_SHEET
from stations.registry import ImportKind

IMPORT_KINDS = [
    ImportKind(
        code="organisations",
        label=_("社会工作服务机构"),
        noun=_("机构"),
        spec=ORGANISATION_SHEET,
        run=organisations_import,
        may_import=permissions.can_manage_organisations,
        template=organisation_template,
        list_url="procurement:organisation-list",
        upload_url="procurement:organisation-import",
    ),
]
