"""The spreadsheet imports of the stations app (collected by stations.registry.import_kinds)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from stations import permissions
from stations.facility_import import facilities_import, facility_template
from stations.registry import ImportKind
from stations.sheets import FACILITY_SHEET

IMPORT_KINDS = [
    ImportKind(
        code="facilities",
        label=_("站点设施"),
        noun=_("站点"),
        spec=FACILITY_SHEET,
        run=facilities_import,
        may_import=permissions.can_create_facilities,
        template=facility_template,
        list_url="stations:facility-list",
        upload_url="stations:facility-import",
    ),
]
