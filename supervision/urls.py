from django.urls import path

from supervision import apis, views

app_name = "supervision"

urlpatterns = [
    path("supervision/", views.SupervisionHomeView.as_view(), name="home"),
    path("supervision/completeness/", views.CompletenessView.as_view(), name="completeness"),
    path("supervision/import/", views.SessionImportView.as_view(), name="session-import"),
    path(
        "supervision/import/template/",
        views.SessionTemplateView.as_view(),
        name="session-import-template",
    ),
    path(
        "supervision/sessions/<int:pk>/attachment/",
        views.SessionAttachmentView.as_view(),
        name="session-attachment",
    ),
    path("supervision/<int:pk>/<str:month>/", views.MonthView.as_view(), name="month"),
    path(
        "supervision/<int:pk>/<str:month>/template/",
        views.MonthTemplateView.as_view(),
        name="month-template",
    ),
    path(
        "api/v1/supervision/submissions/",
        apis.SubmissionListApi.as_view(),
        name="api-submission-list",
    ),
    path(
        "api/v1/supervision/submissions/<int:pk>/",
        apis.SubmissionDetailApi.as_view(),
        name="api-submission-detail",
    ),
    path(
        "api/v1/supervision/submissions/<int:pk>/submit/",
        apis.SubmissionSubmitApi.as_view(),
        name="api-submission-submit",
    ),
    path(
        "api/v1/supervision/submissions/<int:pk>/accept/",
        apis.SubmissionAcceptApi.as_view(),
        name="api-submission-accept",
    ),
    path(
        "api/v1/supervision/submissions/<int:pk>/return/",
        apis.SubmissionReturnApi.as_view(),
        name="api-submission-return",
    ),
    path(
        "api/v1/supervision/submissions/<int:pk>/unlock/",
        apis.SubmissionUnlockApi.as_view(),
        name="api-submission-unlock",
    ),
    path(
        "api/v1/supervision/sessions/",
        apis.SessionListApi.as_view(),
        name="api-session-list",
    ),
    path(
        "api/v1/supervision/sessions/<int:pk>/",
        apis.SessionDetailApi.as_view(),
        name="api-session-detail",
    ),
    path(
        "api/v1/supervision/assignments/",
        apis.SupervisorAssignmentListApi.as_view(),
        name="api-assignment-list",
    ),
    path(
        "api/v1/supervision/completeness/",
        apis.CompletenessApi.as_view(),
        name="api-completeness",
    ),
]
