"""Pages of the procurement app: organisations, contracts, evaluations."""

from procurement.views.contracts import (
    ContractDetailView,
    ContractDocumentView,
    ContractFormView,
    ContractListView,
    ContractTerminateView,
)
from procurement.views.evaluations import (
    EvaluationAssignView,
    EvaluationDetailView,
    EvaluationListView,
    EvaluationReportView,
)
from procurement.views.funds import AssistanceFundsView
from procurement.views.organisations import (
    OrganisationDetailView,
    OrganisationExportView,
    OrganisationFormView,
    OrganisationImportView,
    OrganisationListView,
    OrganisationTemplateView,
)

__all__ = [
    "AssistanceFundsView",
    "ContractDetailView",
    "ContractDocumentView",
    "ContractFormView",
    "ContractListView",
    "ContractTerminateView",
    "EvaluationAssignView",
    "EvaluationDetailView",
    "EvaluationListView",
    "EvaluationReportView",
    "OrganisationDetailView",
    "OrganisationExportView",
    "OrganisationFormView",
    "OrganisationImportView",
    "OrganisationListView",
    "OrganisationTemplateView",
]
