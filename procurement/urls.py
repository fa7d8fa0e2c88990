"""URLs of the procurement app: pages and API v1."""

from django.urls import path

from procurement import apis, views

app_name = "procurement"

urlpatterns = [
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path("organisations/new/", views.OrganisationFormView.as_view(), name="organisation-create"),
    path(
        "organisations/import/", views.OrganisationImportView.as_view(), name="organisation-import"
    ),
    path(
        "organisations/import/template/",
        views.OrganisationTemplateView.as_view(),
        name="organisation-import-template",
    ),
    path(
        "organisations/export/",
        views.OrganisationExportView.as_view(),
        name="organisation-export",
    ),
    path(
        "organisations/<int:pk>/",
        views.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
    path(
        "organisations/<int:pk>/edit/",
        views.OrganisationFormView.as_view(),
        name="organisation-edit",
    ),
    path("contracts/", views.ContractListView.as_view(), name="contract-list"),
    path("assistance-funds/", views.AssistanceFundsView.as_view(), name="assistance-funds"),
    path("contracts/new/", views.ContractFormView.as_view(), name="contract-create"),
    path("contracts/<int:pk>/", views.ContractDetailView.as_view(), name="contract-detail"),
    path("contracts/<int:pk>/edit/", views.ContractFormView.as_view(), name="contract-edit"),
    path(
        "contracts/<int:pk>/terminate/",
        views.ContractTerminateView.as_view(),
        name="contract-terminate",
    ),
    path(
        "contracts/<int:pk>/document/",
        views.ContractDocumentView.as_view(),
        name="contract-document",
    ),
    path("api/v1/organisations/", apis.OrganisationListApi.as_view(), name="api-organisation-list"),
    path(
        "api/v1/organisations/<int:pk>/",
        apis.OrganisationDetailApi.as_view(),
        name="api-organisation-detail",
    ),
    path("api/v1/contracts/", apis.ContractListApi.as_view(), name="api-contract-list"),
    path(
        "api/v1/contracts/<int:pk>/", apis.ContractDetailApi.as_view(), name="api-contract-detail"
    ),
    path(
        "api/v1/contracts/<int:pk>/terminate/",
        apis.ContractTerminateApi.as_view(),
        name="api-contract-terminate",
    ),
    path(
        "api/v1/contracts/<int:pk>/document/",
        apis.ContractDocumentApi.as_view(),
        name="api-contract-document",
    ),
    path("api/v1/evaluations/", apis.EvaluationListApi.as_view(), name="api-evaluation-list"),
    path(
        "api/v1/evaluations/<int:pk>/",
        apis.EvaluationDetailApi.as_view(),
        name="api-evaluation-detail",
    ),
    path(
        "api/v1/evaluations/<int:pk>/submit/",
        apis.EvaluationSubmitApi.as_view(),
        name="api-evaluation-submit",
    ),
    path(
        "api/v1/evaluations/<int:pk>/accept/",
        apis.EvaluationAcceptApi.as_view(),
        name="api-evaluation-accept",
    ),
    path(
        "api/v1/evaluations/<int:pk>/return/",
        apis.EvaluationReturnApi.as_view(),
        name="api-evaluation-return",
    ),
    path(
        "api/v1/evaluations/<int:pk>/report/",
        apis.EvaluationReportApi.as_view(),
        name="api-evaluation-report",
    ),
    path("evaluations/", views.EvaluationListView.as_view(), name="evaluation-list"),
    path("evaluations/new/", views.EvaluationAssignView.as_view(), name="evaluation-create"),
    path("evaluations/<int:pk>/", views.EvaluationDetailView.as_view(), name="evaluation-detail"),
    path(
        "evaluations/<int:pk>/report/",
        views.EvaluationReportView.as_view(),
        name="evaluation-report",
    ),
]
