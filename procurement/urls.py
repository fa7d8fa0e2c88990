"""URLs of the procurement app (API v1; pages follow)."""

from django.urls import path

from procurement import apis

app_name = "procurement"

urlpatterns = [
    path("api/v1/organisations/", apis.OrganisationListApi.as_view(), name="api-organisation-list"),
    path(
        "api/v1/organisations/<int:pk>/",
        apis.OrganisationDetailApi.as_view(),
        name="api-organisation-detail",
    ),
]
