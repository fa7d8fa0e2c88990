"""REST API of the reports app: background jobs."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from reports import permissions, services
from reports.alerts import alert_read, alerts_visible
from reports.models import Alert, Job, JobStatus
from reports.rules import COMPLIANCE_LEVELS, compliance_as_dict, compliance_run
from reports.selectors import jobs_visible, reports_visible
from stations.registry import report_kinds, rules
from stations.scoping import ScopedAPIView


class JobOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="kind_label")
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
        kind = report_kinds().get(job.kind)
        name = (
            "reports:api-report-download" if kind and kind.is_report else "reports:api-job-download"
        )
        url = reverse(name, kwargs={"pk": job.pk})
        return request.build_absolute_uri(url) if request else url


class JobRequestSerializer(serializers.Serializer):
    """A job request: a registered kind, the division (default: one's scope) and the
    kind's parameters (``as_of`` YYYY-MM-DD, default today; ``format`` pdf or xlsx)."""

    kind = serializers.ChoiceField(choices=[], help_text="任务类型代码，见 stations.registry")
    division = serializers.CharField(
        required=False, allow_blank=True, help_text="区划代码，可用短码；默认本人范围"
    )
    as_of = serializers.CharField(required=False, allow_blank=True, help_text="统计日期")
    format = serializers.CharField(required=False, allow_blank=True, help_text="pdf 或 xlsx")

    def __init__(self, *args, reports_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, serializers.ChoiceField)
        kind_field.choices = [
            (kind.code, str(kind.label))
            for kind in report_kinds().values()
            if kind.is_report or not reports_only
        ]


def request_job(view: ScopedAPIView, request, *, reports_only: bool) -> Response:
    data = JobRequestSerializer(data=request.data, reports_only=reports_only)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    # Every parameter sent goes to the service, which refuses those the kind does not take.
    job = services.job_request(
        actor=view.membership,
        kind=values["kind"],
        division_code=values.get("division") or None,
        parameters={name: values[name] for name in ("as_of", "format") if values.get(name)},
    )
    body = JobOutputSerializer(job, context={"request": request}).data
    return Response(body, status=status.HTTP_202_ACCEPTED)


class JobListApi(ScopedAPIView):
    """Jobs in scope (GET) and a new job of any registered kind (POST → 202 with the job;
    the same request while the first is pending returns the first)."""

    selector = staticmethod(jobs_visible)
    model = Job
    capability = staticmethod(permissions.can_use_jobs)

    @extend_schema(responses={200: JobOutputSerializer(many=True)})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        data = JobOutputSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(request=JobRequestSerializer, responses={202: JobOutputSerializer})
    def post(self, request):
        return request_job(self, request, reports_only=False)


class ReportListApi(JobListApi):
    """Reports in scope (GET) and a new one (POST → 202 with the job).

    The same jobs as /api/v1/jobs/, restricted to report kinds (coverage,
    compliance): the body names the kind, the division, the date (``as_of``,
    default today) and the format (pdf or xlsx).
    """

    selector = staticmethod(reports_visible)

    @extend_schema(request=JobRequestSerializer, responses={202: JobOutputSerializer})
    def post(self, request):
        return request_job(self, request, reports_only=True)


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
    """One report in scope: status, progress and, when done, its download URL."""

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
            filename=job.download_name,
        )


class ReportDownloadApi(JobDownloadApi):
    """The file of a finished report in scope."""

    selector = staticmethod(reports_visible)


class ComplianceQuerySerializer(serializers.Serializer):
    division = serializers.CharField(
        required=False, allow_blank=True, help_text="市或县（市、区）代码；默认本人范围"
    )
    as_of = serializers.CharField(
        required=False, allow_blank=True, help_text="YYYY-MM-DD，2000-01-01 至今天；默认今天"
    )
    rule = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="规则代码，多个以逗号分隔（如 registration_valid）；默认全部规则",
    )

    def validate_rule(self, value: str) -> list[str] | None:
        codes = [code.strip() for code in value.split(",") if code.strip()]
        known = {rule.code for rule in rules()}
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise serializers.ValidationError(
                _("未知的规则代码：%(codes)s。") % {"codes": "、".join(unknown)}
            )
        return codes or None


class ComplianceApi(ScopedAPIView):
    """Every rule of the plan for a city or county on a day, with the offending records.

    ``{"division", "as_of", "rules": [{"code", "title", "clause", "passed",
    "expected", "actual", "note", "findings": [{"subject", "division",
    "expected", "actual"}]}]}``; ``passed`` is null when a rule does not apply
    (``note`` says why). ``?rule=code[,code]`` answers only those rules. A village or
    township division, a day outside 2000-01-01…today or an unknown rule code answers 400.
    """

    capability = staticmethod(permissions.can_view_compliance)

    @extend_schema(
        parameters=[
            OpenApiParameter("division", str, description="市或县（市、区）代码"),
            OpenApiParameter("as_of", datetime.date, description="统计日期"),
            OpenApiParameter("rule", str, description="规则代码，逗号分隔；默认全部"),
        ],
        responses={
            200: inline_serializer(
                "Compliance",
                {
                    "division": serializers.CharField(),
                    "as_of": serializers.DateField(),
                    "rules": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def get(self, request):
        query = ComplianceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        code = query.validated_data.get("division")
        errors: dict = {}
        division = self.membership.scope_division
        try:
            if code:
                division = services.report_division_or_404(self.membership, code, COMPLIANCE_LEVELS)
        except DjangoValidationError as error:
            errors.update(error.message_dict)
        try:
            as_of = services.report_as_of(query.validated_data.get("as_of"))
        except DjangoValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise DjangoValidationError(errors)
        only = query.validated_data.get("rule")
        return Response(compliance_as_dict(compliance_run(self.scope, division, as_of, only)))


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(
        source="source", help_text="to-do source code, e.g. months_to_review"
    )
    key = serializers.CharField(help_text="the record within the source")
    text = serializers.CharField()
    url = serializers.CharField(help_text="page to act on (path)")
    due = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(
        allow_null=True, help_text="when the item left the to-do list"
    )


class AlertListApi(ScopedAPIView):
    """The user's own alerts (提醒) in the tenant, open ones first; ``?unread=1`` only the
    unread open ones. Nobody sees another user's alerts."""

    selector = staticmethod(alerts_visible)
    model = Alert

    @extend_schema(responses={200: AlertSerializer(many=True)})
    def get(self, request):
        queryset = self.get_queryset()
        if request.query_params.get("unread") in ("1", "true"):
            queryset = queryset.filter(read_at__isnull=True, resolved_at=None)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(AlertSerializer(page, many=True).data)


class AlertReadApi(ScopedAPIView):
    """POST: mark one of the user's alerts read (again: no change). Another user's: 404."""

    selector = staticmethod(alerts_visible)
    model = Alert

    @extend_schema(request=None, responses={200: AlertSerializer})
    def post(self, request, pk: int):
        alert = alert_read(membership=self.membership, alert=self.get_object())
        return Response(AlertSerializer(alert).data)
