"""URLs of the reports app: dashboard (home), compliance, jobs, reports; pages and API v1."""

from django.urls import path

from reports import apis, views

app_name = "reports"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("todo/", views.TodoView.as_view(), name="todos"),
    path("alerts/", views.AlertListView.as_view(), name="alerts"),
    path("jobs/", views.JobListView.as_view(), name="job-list"),
    path("jobs/<int:pk>/", views.JobProgressView.as_view(), name="job-progress"),
    path("jobs/<int:pk>/download/", views.JobDownloadView.as_view(), name="job-download"),
    # REST API v1
    path("api/v1/compliance/", apis.ComplianceApi.as_view(), name="api-compliance"),
    path("api/v1/alerts/", apis.AlertListApi.as_view(), name="api-alert-list"),
    path("api/v1/alerts/<int:pk>/read/", apis.AlertReadApi.as_view(), name="api-alert-read"),
    path("api/v1/reports/", apis.ReportListApi.as_view(), name="api-report-list"),
    path("api/v1/reports/<int:pk>/", apis.ReportDetailApi.as_view(), name="api-report-detail"),
    path(
        "api/v1/reports/<int:pk>/download/",
        apis.ReportDownloadApi.as_view(),
        name="api-report-download",
    ),
    path("api/v1/jobs/", apis.JobListApi.as_view(), name="api-job-list"),
    path("api/v1/jobs/<int:pk>/", apis.JobDetailApi.as_view(), name="api-job-detail"),
    path("api/v1/jobs/<int:pk>/download/", apis.JobDownloadApi.as_view(), name="api-job-download"),
]
