"""Facility spreadsheets: the import template, the upload page, and the export.

The upload, preview and confirmation are the kit's import pages
(stations/views/imports.py) for the import kind ``facilities``.
"""

from __future__ import annotations

from stations import permissions, selectors
from stations.facility_import import (
    EXPORT_ORDER,
    facilities_export,
    facilities_export_filename,
    facility_template,
)
from stations.filters import FacilityFilter
from stations.scoping import ScopedView
from stations.spreadsheets import xlsx_response
from stations.views.imports import ImportUploadView


class FacilityTemplateView(ScopedView):
    """The empty import template for the user's scope."""

    capability = staticmethod(permissions.can_create_facilities)

    def get(self, request):
        content = facility_template(self.membership)
        code = self.membership.scope_division.short_code
        return xlsx_response(content, f"{code}-facilities-template.xlsx")


class FacilityExportView(ScopedView):
    """The facility list as filtered on the list page, as XLSX."""

    selector = staticmethod(selectors.facilities_visible)
    capability = staticmethod(permissions.can_see_network)

    def get(self, request):
        # Exactly the list page's rows: an invalid filter is ignored there, so here too.
        filterset = FacilityFilter(request.GET or None, queryset=self.get_queryset())
        queryset = filterset.qs if filterset.is_bound else self.get_queryset()
        content = facilities_export(queryset.order_by(*EXPORT_ORDER))
        return xlsx_response(content, facilities_export_filename(self.membership))


class FacilityImportView(ImportUploadView):
    """Upload a facility spreadsheet: new stations, or changes to those its key names."""

    kind = "facilities"
    template_url = "stations:facility-import-template"
    capability = staticmethod(permissions.can_create_facilities)
