"""Pages of the stations app, split by sub-domain."""

from stations.views.divisions import (
    DivisionDetailView,
    DivisionRootView,
    HealthView,
    TenantSwitchView,
)
from stations.views.facilities import (
    FacilityCreateView,
    FacilityDetailView,
    FacilityEditView,
    FacilityListView,
    FacilityStatusView,
)
from stations.views.facility_excel import (
    FacilityExportView,
    FacilityImportErrorsView,
    FacilityImportView,
    FacilityTemplateView,
)
from stations.views.policy import PolicyView

__all__ = [
    "DivisionDetailView",
    "DivisionRootView",
    "FacilityCreateView",
    "FacilityDetailView",
    "FacilityEditView",
    "FacilityExportView",
    "FacilityImportErrorsView",
    "FacilityImportView",
    "FacilityListView",
    "FacilityStatusView",
    "FacilityTemplateView",
    "HealthView",
    "PolicyView",
    "TenantSwitchView",
]
