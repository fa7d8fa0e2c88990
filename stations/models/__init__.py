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
from stations.models.imports import ImportJob, ImportMode, ImportStatus
from stations.models.policy import PolicyValue
from stations.models.tenancy import (
    CoverageOverride,
    Division,
    Membership,
    PasswordChangeRequired,
    Role,
    Tenant,
)

__all__ = [
    "DIVISION_LEVEL_OF",
    "CoverageOverride",
    "Division",
    "Facility",
    "FacilityLevel",
    "FacilityOperatingPeriod",
    "FacilityRating",
    "FacilityStatus",
    "FacilityStatusChange",
    "ImportJob",
    "ImportMode",
    "ImportStatus",
    "Membership",
    "PasswordChangeRequired",
    "PolicyValue",
    "Role",
    "Tenant",
]
