"""Imports API: upload a spreadsheet of any import kind, follow its preview, commit it.

The same jobs as the upload page (stations.services.imports): a file of at
most 200 rows is checked at once, a bigger one by the worker; either way the
answer is 202 with the job, polled at ``/api/v1/imports/ID/``. Only the
uploader sees an import: anyone else, in another county or tenant, gets 404.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from stations import permissions
from stations.models import ImportJob, ImportMode
from stations.registry import import_kinds
from stations.scoping import ScopedAPIView
from stations.selectors import imports_visible
from stations.services import imports as import_services
from stations.spreadsheets import XLSX_CONTENT_TYPE
from stations.views.imports import import_error_workbook_response


class ImportStartSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="导入类型代码，如 facilities（站点设施）")
    file = serializers.FileField(
        help_text=".xlsx、.xls、.ods 或 .csv（UTF-8 或 GB18030），最多 20,000 行、10 MB"
    )
    mode = serializers.ChoiceField(
        choices=ImportMode.choices,
        default=ImportMode.UPSERT,
        help_text="upsert：按唯一标识（站点为 所在区划代码 + 层级）更新已有记录，其余新增；"
        "create：每一行都新增",
    )


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="文件中的行号（表头为第 1 行）")
    column = serializers.CharField(help_text="列名（表头文字）；整行的问题为“整行”")
    value = serializers.CharField(help_text="单元格中填写的内容")
    rule = serializers.CharField(help_text="违反的规则（中文）")


class ImportCountsSerializer(serializers.Serializer):
    new = serializers.IntegerField(help_text="将新增（已导入时：新增）的行数")
    changed = serializers.IntegerField(help_text="将修改已有记录的行数")
    unchanged = serializers.IntegerField(help_text="与已有记录一致、不作修改的行数")
    errors = serializers.IntegerField(  # type: ignore[assignment]
        help_text="有错误的行数（有错误时整个文件都不会导入）"
    )


class ImportJobSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField(help_text="导入类型名称")
    counts = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()  # type: ignore[assignment]
    status = serializers.CharField(
        help_text="previewing 检查中 → previewed 待确认（无错误时可 commit）→ committing 导入中 "
        "→ committed 已导入；failed 文件无法读取"
    )
    progress = serializers.IntegerField(help_text="进度，0–100（百分数）")
    may_commit = serializers.BooleanField(help_text="现在能否确认导入")
    changed_since = serializers.BooleanField(
        help_text="确认导入时发现预览后数据已变化、没有写入：counts 与 errors 是重新检查的结果"
    )
    error = serializers.CharField(help_text="整个文件的失败原因（status 为 failed 时）")
    url = serializers.SerializerMethodField(help_text="导入页面")
    errors_url = serializers.SerializerMethodField(
        help_text="错误说明文件（在上传的文件上标出错误），无错误时为 null"
    )

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "kind_label",
            "mode",
            "filename",
            "rows",
            "status",
            "progress",
            "counts",
            "errors",
            "may_commit",
            "changed_since",
            "error",
            "created_at",
            "previewed_at",
            "committed_at",
            "url",
            "errors_url",
        ]

    def get_kind_label(self, job: ImportJob) -> str:
        kind = import_kinds().get(job.kind)
        return str(kind.label) if kind else job.kind

    @extend_schema_field(ImportCountsSerializer)
    def get_counts(self, job: ImportJob) -> dict:
        counts = {"new": 0, "changed": 0, "unchanged": 0, "errors": 0}
        counts.update({key: job.counts[key] for key in counts if key in job.counts})
        return ImportCountsSerializer(counts).data

    @extend_schema_field(ImportErrorSerializer(many=True))
    def get_errors(self, job: ImportJob) -> Any:
        return ImportErrorSerializer(job.errors, many=True).data

    def get_url(self, job: ImportJob) -> str:
        return reverse("stations:import-detail", args=[job.pk])

    def get_errors_url(self, job: ImportJob) -> str | None:
        if not job.errors or not job.file:
            return None
        return reverse("stations:api-import-errors", args=[job.pk])


class ImportListApi(ScopedAPIView):
    """GET: the caller's imports, newest first. POST (multipart): upload a file → 202 + job.

    A refused file (not a spreadsheet, too big, empty, a required column
    missing) is 400 with the reason in ``file`` and keeps nothing.
    """

    selector = staticmethod(imports_visible)
    model = ImportJob
    capability = staticmethod(permissions.can_import)
    parser_classes = [MultiPartParser]
    serializer_class = ImportJobSerializer

    @extend_schema(responses={200: ImportJobSerializer(many=True)})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ImportJobSerializer(page, many=True).data)

    @extend_schema(request=ImportStartSerializer, responses={202: ImportJobSerializer})
    def post(self, request):
        data = ImportStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        job = import_services.import_start(
            actor=self.membership,
            kind=data.validated_data["kind"],
            file=upload,
            filename=upload.name,
            mode=data.validated_data["mode"],
        )
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailApi(ScopedAPIView):
    """One of the caller's imports: status, progress, counts and every row error."""

    selector = staticmethod(imports_visible)
    model = ImportJob
    capability = staticmethod(permissions.can_import)
    serializer_class = ImportJobSerializer

    @extend_schema(responses={200: ImportJobSerializer})
    def get(self, request, pk: int):
        return Response(ImportJobSerializer(self.get_object()).data)


class ImportCommitApi(ScopedAPIView):
    """POST: write what the preview showed → 202 with the job (committed, or committing).

    409 when the import cannot be committed: it has errors, is still being
    checked, or was committed already. When the data changed since the
    preview nothing is written: the job is ``previewed`` again with
    ``changed_since`` and the new counts; commit again after reading them.
    """

    selector = staticmethod(imports_visible)
    model = ImportJob
    capability = staticmethod(permissions.can_import)
    serializer_class = ImportJobSerializer

    @extend_schema(request=None, responses={202: ImportJobSerializer})
    def post(self, request, pk: int):
        try:
            job = import_services.import_commit(actor=self.membership, job=self.get_object())
        except import_services.ImportConflict as conflict:
            raise Conflict(str(conflict)) from conflict
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportErrorsApi(ScopedAPIView):
    """The error workbook: the uploaded file with a 错误说明 column and the bad cells marked."""

    selector = staticmethod(imports_visible)
    model = ImportJob
    capability = staticmethod(permissions.can_import)

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): bytes})
    def get(self, request, pk: int):
        return import_error_workbook_response(self.get_object())


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
