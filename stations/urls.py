"""URLs of the stations app: divisions, facilities, policy, coverage (pages and API v1)."""

from django.urls import path

from stations import apis, views

app_name = "stations"

urlpatterns = [
    path("tenant/switch/", views.TenantSwitchView.as_view(), name="tenant-switch"),
    path("divisions/", views.DivisionRootView.as_view(), name="division-root"),
    path("divisions/<str:code>/", views.DivisionDetailView.as_view(), name="division-detail"),
    path("facilities/", views.FacilityListView.as_view(), name="facility-list"),
    path("facilities/new/", views.FacilityCreateView.as_view(), name="facility-create"),
    path("facilities/import/", views.FacilityImportView.as_view(), name="facility-import"),
    path(
        "facilities/import/template/",
        views.FacilityTemplateView.as_view(),
        name="facility-import-template",
    ),
    path("facilities/export/", views.FacilityExportView.as_view(), name="facility-export"),
    path("facilities/<int:pk>/", views.FacilityDetailView.as_view(), name="facility-detail"),
    path("facilities/<int:pk>/edit/", views.FacilityEditView.as_view(), name="facility-edit"),
    path("facilities/<int:pk>/status/", views.FacilityStatusView.as_view(), name="facility-status"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/progress/", views.ImportProgressView.as_view(), name="import-progress"),
    path("imports/<int:pk>/commit/", views.ImportCommitView.as_view(), name="import-commit"),
    path("imports/<int:pk>/errors.xlsx", views.ImportErrorsView.as_view(), name="import-errors"),
    path("policy/", views.PolicyView.as_view(), name="policy"),
    path("accounts/locked/", views.LockedAccountsView.as_view(), name="locked-accounts"),
    path("healthz/", views.HealthView.as_view(), name="healthz"),
    # REST API v1
    path("api/v1/auth/token/", apis.TokenObtainApi.as_view(), name="api-token"),
    path("api/v1/auth/logout/", apis.TokenLogoutApi.as_view(), name="api-token-logout"),
    path("api/v1/auth/logoutall/", apis.TokenLogoutAllApi.as_view(), name="api-token-logoutall"),
    path("api/v1/auth/tokens/", apis.TokenListApi.as_view(), name="api-token-list"),
    path(
        "api/v1/auth/tokens/<str:token_key>/",
        apis.TokenRevokeApi.as_view(),
        name="api-token-revoke",
    ),
    path("api/v1/me/", apis.MeApi.as_view(), name="api-me"),
    path("api/v1/divisions/", apis.DivisionListApi.as_view(), name="api-division-list"),
    path("api/v1/boundaries/", apis.BoundaryApi.as_view(), name="api-boundaries"),
    path(
        "api/v1/divisions/<str:code>/",
        apis.DivisionDetailApi.as_view(),
        name="api-division-detail",
    ),
    path("api/v1/imports/", apis.ImportListApi.as_view(), name="api-import-list"),
    path("api/v1/imports/<int:pk>/", apis.ImportDetailApi.as_view(), name="api-import-detail"),
    path(
        "api/v1/imports/<int:pk>/commit/",
        apis.ImportCommitApi.as_view(),
        name="api-import-commit",
    ),
    path(
        "api/v1/imports/<int:pk>/errors.xlsx",
        apis.ImportErrorsApi.as_view(),
        name="api-import-errors",
    ),
    path("api/v1/facilities/", apis.FacilityListApi.as_view(), name="api-facility-list"),
    path(
        "api/v1/facilities/export/",
        apis.FacilityExportApi.as_view(),
        name="api-facility-export",
    ),
    path(
        "api/v1/facilities/<int:pk>/",
        apis.FacilityDetailApi.as_view(),
        name="api-facility-detail",
    ),
    path(
        "api/v1/facilities/<int:pk>/close/",
        apis.FacilityCloseApi.as_view(),
        name="api-facility-close",
    ),
    path(
        "api/v1/facilities/<int:pk>/open/",
        apis.FacilityOpenApi.as_view(),
        name="api-facility-open",
    ),
    path(
        "api/v1/facilities/<int:pk>/correct/",
        apis.FacilityCorrectApi.as_view(),
        name="api-facility-correct",
    ),
    path(
        "api/v1/facilities/<int:pk>/history/",
        apis.FacilityHistoryApi.as_view(),
        name="api-facility-history",
    ),
    path(
        "api/v1/facilities/<int:pk>/ratings/",
        apis.FacilityRatingApi.as_view(),
        name="api-facility-ratings",
    ),
    path("api/v1/policy/", apis.PolicyListApi.as_view(), name="api-policy"),
    path("api/v1/coverage/", apis.CoverageApi.as_view(), name="api-coverage"),
    path(
        "api/v1/coverage/timeline/",
        apis.CoverageTimelineApi.as_view(),
        name="api-coverage-timeline",
    ),
    path(
        "api/v1/coverage/overrides/",
        apis.CoverageOverrideListApi.as_view(),
        name="api-coverage-override-list",
    ),
    path(
        "api/v1/coverage/overrides/<int:pk>/end/",
        apis.CoverageOverrideEndApi.as_view(),
        name="api-coverage-override-end",
    ),
]
