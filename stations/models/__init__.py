"""Models of the stations app, split by sub-domain."""

from stations.models.facilities import (
    DIVISION_LEVEL_OF,
    Facility,
    FacilityLevel,
    FacilityOperatingPeriod,
    FacilityRating,
    FacilityStatus,
    FacilityStatusChange,
)
from stations.models.tenancy import (
    CITY_ROLES,
    COUNTY_SCOPED_ROLES,
    NETWORK_ROLES,
    CoverageOverride,
    Division,
    Membership,
    Role,
    Tenant,
)

__all__ = [
    "CITY_ROLES",
    "COUNTY_SCOPED_ROLES",
    "DIVISION_LEVEL_OF",
    "NETWORK_ROLES",
    "CoverageOverride",
    "Division",
    "Facility",
    "FacilityLevel",
    "FacilityOperatingPeriod",
    "FacilityRating",
    "FacilityStatus",
    "FacilityStatusChange",
    "Membership",
    "Role",
    "Tenant",
]
