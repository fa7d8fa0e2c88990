"""URLs of the procurement app: pages and API v1."""

from django.urls import path

from procurement import apis, views

app_name = "procurement"

urlpatterns = [
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path("organisations/new/", views.OrganisationFormView.as_view(), name="organisation-create"),
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
]
