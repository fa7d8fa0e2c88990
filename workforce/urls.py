"""URLs of the workforce app: pages and API v1."""

from django.urls import path

from workforce import apis, views

app_name = "workforce"

urlpatterns = [
    path("workforce/", views.WorkforceView.as_view(), name="workforce"),
    path("population/", views.PopulationView.as_view(), name="population"),
    path("population/import/", views.PopulationImportView.as_view(), name="population-import"),
    path(
        "population/import/template/",
        views.PopulationTemplateView.as_view(),
        name="population-import-template",
    ),
    path("population/export/", views.PopulationExportView.as_view(), name="population-export"),
    path("social-workers/", views.SocialWorkerListView.as_view(), name="worker-list"),
    path("social-workers/new/", views.SocialWorkerFormView.as_view(), name="worker-create"),
    path("social-workers/import/", views.RosterImportView.as_view(), name="worker-import"),
    path(
        "social-workers/import/template/",
        views.RosterTemplateView.as_view(),
        name="worker-import-template",
    ),
    path("social-workers/export/", views.RosterExportView.as_view(), name="worker-export"),
    path("social-workers/<int:pk>/", views.SocialWorkerDetailView.as_view(), name="worker-detail"),
    path("social-workers/<int:pk>/edit/", views.SocialWorkerFormView.as_view(), name="worker-edit"),
    path(
        "social-workers/<int:pk>/reveal-id/",
        views.RevealIdView.as_view(),
        name="worker-reveal-id",
    ),
    path(
        "social-workers/<int:pk>/credentials/",
        views.CredentialsView.as_view(),
        name="worker-credentials",
    ),
    path(
        "social-workers/<int:pk>/assignments/",
        views.AssignmentsView.as_view(),
        name="worker-assignments",
    ),
    path(
        "social-workers/<int:pk>/trainings/",
        views.TrainingsView.as_view(),
        name="worker-trainings",
    ),
    path("api/v1/social-workers/", apis.SocialWorkerListApi.as_view(), name="api-worker-list"),
    path(
        "api/v1/social-workers/<int:pk>/",
        apis.SocialWorkerDetailApi.as_view(),
        name="api-worker-detail",
    ),
    path(
        "api/v1/social-workers/<int:pk>/reveal-id/",
        apis.RevealIdApi.as_view(),
        name="api-worker-reveal-id",
    ),
    path("api/v1/credentials/", apis.CredentialListApi.as_view(), name="api-credential-list"),
    path(
        "api/v1/credentials/<int:pk>/registrations/",
        apis.CredentialRegistrationApi.as_view(),
        name="api-credential-registrations",
    ),
    path("api/v1/assignments/", apis.AssignmentListApi.as_view(), name="api-assignment-list"),
    path(
        "api/v1/assignments/<int:pk>/end/",
        apis.AssignmentEndApi.as_view(),
        name="api-assignment-end",
    ),
    path("api/v1/trainings/", apis.TrainingListApi.as_view(), name="api-training-list"),
    path("api/v1/population/", apis.PopulationApi.as_view(), name="api-population"),
    path("api/v1/workforce/summary/", apis.WorkforceSummaryApi.as_view(), name="api-summary"),
]
