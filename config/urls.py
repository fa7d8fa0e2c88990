from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from reports import apis as report_apis
from reports import views as report_views
from stations import apis as station_apis
from stations import views as station_views

api_v1 = [
    path("auth/token/", station_apis.TokenObtainApi.as_view(), name="api-token"),
    path("me/", station_apis.MeApi.as_view(), name="api-me"),
    path("divisions/", station_apis.DivisionListApi.as_view(), name="api-division-list"),
    path(
        "divisions/<str:code>/",
        station_apis.DivisionDetailApi.as_view(),
        name="api-division-detail",
    ),
    path("facilities/", station_apis.FacilityListApi.as_view(), name="api-facility-list"),
    path(
        "facilities/<int:pk>/",
        station_apis.FacilityDetailApi.as_view(),
        name="api-facility-detail",
    ),
    path(
        "facilities/<int:pk>/close/",
        station_apis.FacilityCloseApi.as_view(),
        name="api-facility-close",
    ),
    path(
        "facilities/<int:pk>/open/",
        station_apis.FacilityOpenApi.as_view(),
        name="api-facility-open",
    ),
    path(
        "facilities/<int:pk>/ratings/",
        station_apis.FacilityRatingApi.as_view(),
        name="api-facility-ratings",
    ),
    path("policy/", station_apis.PolicyListApi.as_view(), name="api-policy"),
    path("coverage/", station_apis.CoverageApi.as_view(), name="api-coverage"),
    path(
        "coverage/timeline/",
        station_apis.CoverageTimelineApi.as_view(),
        name="api-coverage-timeline",
    ),
    path(
        "coverage/overrides/",
        station_apis.CoverageOverrideListApi.as_view(),
        name="api-coverage-override-list",
    ),
    path(
        "coverage/overrides/<int:pk>/end/",
        station_apis.CoverageOverrideEndApi.as_view(),
        name="api-coverage-override-end",
    ),
    path("reports/", report_apis.ReportListApi.as_view(), name="api-report-list"),
    path("reports/<int:pk>/", report_apis.ReportDetailApi.as_view(), name="api-report-detail"),
    path(
        "reports/<int:pk>/download/",
        report_apis.ReportDownloadApi.as_view(),
        name="api-report-download",
    ),
    path("compliance/", report_apis.ComplianceApi.as_view(), name="api-compliance"),
    path("jobs/", report_apis.JobListApi.as_view(), name="api-job-list"),
    path("jobs/<int:pk>/", report_apis.JobDetailApi.as_view(), name="api-job-detail"),
    path("jobs/<int:pk>/download/", report_apis.JobDownloadApi.as_view(), name="api-job-download"),
]

accounts = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

handler404 = "config.api.page_not_found"
handler500 = "config.api.server_error"

urlpatterns = [
    path("", station_views.HomeView.as_view(), name="home"),
    path("tenant/switch/", station_views.TenantSwitchView.as_view(), name="tenant-switch"),
    path("divisions/", station_views.DivisionRootView.as_view(), name="division-root"),
    path(
        "divisions/<str:code>/",
        station_views.DivisionDetailView.as_view(),
        name="division-detail",
    ),
    path("facilities/", station_views.FacilityListView.as_view(), name="facility-list"),
    path("facilities/new/", station_views.FacilityCreateView.as_view(), name="facility-create"),
    path("facilities/import/", station_views.FacilityImportView.as_view(), name="facility-import"),
    path(
        "facilities/import/template/",
        station_views.FacilityTemplateView.as_view(),
        name="facility-import-template",
    ),
    path("facilities/export/", station_views.FacilityExportView.as_view(), name="facility-export"),
    path(
        "facilities/<int:pk>/", station_views.FacilityDetailView.as_view(), name="facility-detail"
    ),
    path(
        "facilities/<int:pk>/edit/", station_views.FacilityEditView.as_view(), name="facility-edit"
    ),
    path(
        "facilities/<int:pk>/status/",
        station_views.FacilityStatusView.as_view(),
        name="facility-status",
    ),
    path("policy/", station_views.PolicyView.as_view(), name="policy"),
    path("compliance/", report_views.ComplianceView.as_view(), name="compliance"),
    path("jobs/", report_views.JobListView.as_view(), name="job-list"),
    path("jobs/<int:pk>/", report_views.JobProgressView.as_view(), name="job-progress"),
    path("jobs/<int:pk>/download/", report_views.JobDownloadView.as_view(), name="job-download"),
    path("accounts/", include(accounts)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz/", station_views.HealthView.as_view(), name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
