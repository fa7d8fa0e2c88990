"""Pages of the stations app, split by sub-domain."""

from stations.views.accounts import LockedAccountsView
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
    FacilityImportView,
    FacilityTemplateView,
)
from stations.views.imports import (
    ImportCommitView,
    ImportDetailView,
    ImportErrorsView,
    ImportProgressView,
)
from stations.views.policy import PolicyView

__all__ = [
    "LockedAccountsView",
    "DivisionDetailView",
    "DivisionRootView",
    "FacilityCreateView",
    "FacilityDetailView",
    "FacilityEditView",
    "FacilityExportView",
    "FacilityImportView",
    "FacilityListView",
    "FacilityStatusView",
    "FacilityTemplateView",
    "HealthView",
    "ImportCommitView",
    "ImportDetailView",
    "ImportErrorsView",
    "ImportProgressView",
    "PolicyView",
    "TenantSwitchView",
]
