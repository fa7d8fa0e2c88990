"""REST API of the stations app, split by sub-domain."""

from stations.apis.coverage import (
    CoverageApi,
    CoverageOverrideEndApi,
    CoverageOverrideListApi,
    CoverageTimelineApi,
)
from stations.apis.divisions import (
    BoundaryApi,
    DivisionDetailApi,
    DivisionListApi,
    MeApi,
    TokenObtainApi,
)
from stations.apis.facilities import (
    FacilityCloseApi,
    FacilityCorrectApi,
    FacilityDetailApi,
    FacilityExportApi,
    FacilityHistoryApi,
    FacilityListApi,
    FacilityOpenApi,
    FacilityRatingApi,
)
from stations.apis.imports import ImportCommitApi, ImportDetailApi, ImportErrorsApi, ImportListApi
from stations.apis.policy import PolicyListApi
from stations.apis.tokens import TokenListApi, TokenLogoutAllApi, TokenLogoutApi, TokenRevokeApi

__all__ = [
    "BoundaryApi",
    "CoverageApi",
    "CoverageOverrideEndApi",
    "CoverageOverrideListApi",
    "CoverageTimelineApi",
    "DivisionDetailApi",
    "DivisionListApi",
    "FacilityCloseApi",
    "FacilityCorrectApi",
    "FacilityDetailApi",
    "FacilityExportApi",
    "FacilityHistoryApi",
    "FacilityListApi",
    "FacilityOpenApi",
    "FacilityRatingApi",
    "ImportCommitApi",
    "ImportDetailApi",
    "ImportErrorsApi",
    "ImportListApi",
    "MeApi",
    "PolicyListApi",
    "TokenListApi",
    "TokenLogoutAllApi",
    "TokenLogoutApi",
    "TokenObtainApi",
    "TokenRevokeApi",
]
