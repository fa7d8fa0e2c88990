"""Pages of the stations app, split by sub-domain."""

from stations.views.dashboard import HomeView
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

__all__ = [
    "DivisionDetailView",
    "DivisionRootView",
    "FacilityCreateView",
    "FacilityDetailView",
    "FacilityEditView",
    "FacilityListView",
    "FacilityStatusView",
    "HealthView",
    "HomeView",
    "TenantSwitchView",
]
