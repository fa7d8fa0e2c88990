"""REST API of the reports app: background jobs."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from reports import permissions, services
from reports.models import Job, JobKind, JobStatus
from reports.selectors import jobs_visible, reports_visible
from stations.scoping import ScopedAPIView


class JobOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    status = serializers.CharField()
    progress = serializers.IntegerField()
    division = serializers.CharField(source="scope.short_code")
    parameters = serializers.JSONField()
    error = serializers.CharField()
    requested_by = serializers.CharField(source="requested_by.username", allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, job: Job) -> str | None:
        if job.status != JobStatus.SUCCEEDED:
            return None
        request = self.context.get("request")
        name = "api-report-download" if job.kind == JobKind.COVERAGE_REPORT else "api-job-download"
        url = reverse(name, kwargs={"pk": job.pk})
        return request.build_absolute_uri(url) if request else url


class JobListApi(ScopedAPIView):
    """Jobs in scope (GET) and a new job (POST → 202 with the job)."""

    selector = staticmethod(jobs_visible)
    model = Job
    capability = staticmethod(permissions.can_use_jobs)

    class JobRequestSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=JobKind.choices)
        division = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(responses={200: JobOutputSerializer(many=True)})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        data = JobOutputSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(request=JobRequestSerializer, responses={202: JobOutputSerializer})
    def post(self, request):
        data = self.JobRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.job_request(
            actor=self.membership,
            kind=data.validated_data["kind"],
            division_code=data.validated_data.get("division") or None,
        )
        body = JobOutputSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ReportListApi(JobListApi):
    """Coverage reports in scope (GET) and a new one (POST → 202 with the job).

    The same jobs as /api/v1/jobs/, restricted to reports: the body names the
    division, the date (``as_of``, default today) and the format (pdf or xlsx).
    """

    selector = staticmethod(reports_visible)

    class ReportRequestSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=[JobKind.COVERAGE_REPORT])
        division = serializers.CharField(required=False, allow_blank=True)
        as_of = serializers.CharField(required=False, allow_blank=True)
        format = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(request=ReportRequestSerializer, responses={202: JobOutputSerializer})
    def post(self, request):
        data = self.ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        job = services.job_request(
            actor=self.membership,
            kind=values["kind"],
            division_code=values.get("division") or None,
            parameters={name: values[name] for name in ("as_of", "format") if values.get(name)},
        )
        body = JobOutputSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class JobDetailApi(ScopedAPIView):
    """One job in scope: status, progress and, when done, its download URL."""

    selector = staticmethod(jobs_visible)
    model = Job
    capability = staticmethod(permissions.can_use_jobs)

    @extend_schema(responses={200: JobOutputSerializer})
    def get(self, request, pk: int):
        job = self.get_object()
        return Response(JobOutputSerializer(job, context={"request": request}).data)


class ReportDetailApi(JobDetailApi):
    """One coverage report in scope: status, progress and, when done, its download URL."""

    selector = staticmethod(reports_visible)


class JobDownloadApi(JobDetailApi):
    """The file of a finished job in scope."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk: int):
        job = self.get_object()
        if job.status != JobStatus.SUCCEEDED or not job.result_file:
            raise Http404
        return FileResponse(
            job.result_file.open("rb"),
            as_attachment=True,
            filename=job.result_file.name.rsplit("/", 1)[-1],
        )


class ReportDownloadApi(JobDownloadApi):
    """The file of a finished coverage report in scope."""

    selector = staticmethod(reports_visible)
