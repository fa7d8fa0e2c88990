"""REST API of the procurement app: organisations, contracts, evaluations."""

from procurement.apis.contracts import (
    ContractDetailApi,
    ContractDocumentApi,
    ContractListApi,
    ContractTerminateApi,
)
from procurement.apis.evaluations import (
    EvaluationAcceptApi,
    EvaluationDetailApi,
    EvaluationListApi,
    EvaluationReportApi,
    EvaluationReturnApi,
    EvaluationSubmitApi,
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
    "EvaluationAcceptApi",
    "EvaluationDetailApi",
    "EvaluationListApi",
    "EvaluationReportApi",
    "EvaluationReturnApi",
    "EvaluationSubmitApi",
    "OrganisationDetailApi",
    "OrganisationFilter",
    "OrganisationListApi",
]
