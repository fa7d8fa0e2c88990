"""REST API of the procurement app: organisations, contracts, evaluations."""

from procurement.apis.contracts import (
    ContractDetailApi,
    ContractDocumentApi,
    ContractListApi,
    ContractTerminateApi,
)
from procurement.apis.organisations import (
    OrganisationDetailApi,
    OrganisationFilter,
    OrganisationListApi,
)

__all__ = [
    "ContractDetailApi",
    "ContractDocumentApi",
    "ContractListApi",
    "ContractTerminateApi",
    "OrganisationDetailApi",
    "OrganisationFilter",
    "OrganisationListApi",
]
