"""Spreadsheet imports in the browser, for every import kind: upload, preview, confirm.

An upload becomes an ImportJob (stations.services.imports) and the browser
goes to its page: a small file shows its preview at once, a big one a
progress bar that polls until the worker is done. Only the uploader ever
sees an import; anyone else gets 404.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from stations import permissions, selectors
from stations.models import ImportMode, ImportStatus
from stations.registry import import_kinds
from stations.scoping import ScopedView
from stations.services import imports as import_services
from stations.spreadsheets import MAX_ROWS, FileRefused, xlsx_response
from stations.spreadsheets.importing import CHANGED, NEW, UNCHANGED, sheet_error_workbook

ROWS_PER_PAGE = 200
# Errors listed in the table above the rows; all of them are in the error workbook.
ERRORS_LISTED = 500
# What the preview lists: rows with errors, each plan, or every row.
SHOWS = ("errors", NEW, CHANGED, UNCHANGED, "all")


class ImportUploadView(ScopedView):
    """GET the upload form of one import kind; POST a file: an import job, then its page."""

    kind = ""  # an import kind code (stations.registry.import_kinds)
    template_url = ""  # URL name of the kind's empty template

    def get(self, request):
        return self.render_upload(request)

    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return self.render_upload(
                request, _("请选择要上传的 Excel 文件（.xlsx、.xls、.ods 或 CSV）。")
            )
        try:
            job = import_services.import_start(
                actor=self.membership,
                kind=self.kind,
                file=upload,
                filename=upload.name,
                mode=request.POST.get("mode") or ImportMode.UPSERT,
            )
        except ValidationError as error:
            return self.render_upload(request, " ".join(error.messages))
        return redirect("stations:import-detail", pk=job.pk)

    def render_upload(self, request, error: str | None = None):
        kind = import_kinds()[self.kind]
        context = {
            "error": error,
            "kind": kind,
            "max_rows": MAX_ROWS,
            "inline_rows": import_services.INLINE_ROWS,
            "template_url": reverse(self.template_url),
            "recent": selectors.imports_visible(self.scope).filter(kind=self.kind)[:5],
        }
        return render(request, "stations/import_upload.html", context, status=400 if error else 200)


class ImportDetailView(ScopedView):
    """One import: its progress while busy, then the preview (row by row) or the outcome."""

    selector = staticmethod(selectors.imports_visible)
    capability = staticmethod(permissions.can_import)

    def get(self, request, pk: int):
        job = self.get_object()
        kind = import_kinds()[job.kind]
        show = request.GET.get("show")
        if show not in SHOWS:
            show = "errors" if job.errors else "all"
        error_rows: dict[int, list] = {}
        for error in job.errors:
            error_rows.setdefault(error["row"], []).append(error)
        rows = [
            {**row, "errors": error_rows.get(row["row"], [])}
            for row in job.plan
            if show == "all"
            or (show == "errors" and row["row"] in error_rows)
            or row["action"] == show
        ]
        page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        context = {
            "job": job,
            "kind": kind,
            "show": show,
            "shows": SHOWS,
            "page": page,
            "headers": kind.spec.headers[: import_services.PLAN_CELLS],
            "first_errors": job.errors[:ERRORS_LISTED],
            "more_errors": max(0, len(job.errors) - ERRORS_LISTED),
            "upload_url": reverse(kind.upload_url),
            "list_url": reverse(kind.list_url),
        }
        return render(request, "stations/import_detail.html", context)


class ImportProgressView(ScopedView):
    """The progress bar of a busy import (polled by htmx); reloads the page once it is done."""

    selector = staticmethod(selectors.imports_visible)
    capability = staticmethod(permissions.can_import)

    def get(self, request, pk: int):
        job = self.get_object()
        if not job.is_busy:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "stations/_import_progress.html", {"job": job})


class ImportCommitView(ScopedView):
    """POST: write what the preview showed (now for a small file, by the worker for a big one)."""

    selector = staticmethod(selectors.imports_visible)
    capability = staticmethod(permissions.can_import)

    def post(self, request, pk: int):
        job = self.get_object()
        try:
            job = import_services.import_commit(actor=self.membership, job=job)
        except (import_services.ImportConflict, PermissionDenied) as error:
            messages.error(request, str(error))
            return redirect("stations:import-detail", pk=job.pk)
        if job.status == ImportStatus.COMMITTED:
            counts = job.counts
            messages.success(
                request,
                _(
                    "已导入 %(total)d 个%(noun)s：新增 %(new)d，修改 %(changed)d，"
                    "无变化 %(unchanged)d。"
                )
                % {
                    "total": job.rows,
                    "noun": import_kinds()[job.kind].noun,
                    "new": counts.get(NEW, 0),
                    "changed": counts.get(CHANGED, 0),
                    "unchanged": counts.get(UNCHANGED, 0),
                },
            )
            return redirect(import_kinds()[job.kind].list_url)
        return redirect("stations:import-detail", pk=job.pk)


class ImportErrorsView(ScopedView):
    """The uploaded file with a 错误说明 column and the cells of every row error marked."""

    selector = staticmethod(selectors.imports_visible)
    capability = staticmethod(permissions.can_import)

    def get(self, request, pk: int):
        return import_error_workbook_response(self.get_object())


def import_error_workbook_response(job):
    """The error workbook of ``job`` as a download (pages and the API); 404 without a file."""
    from django.http import Http404

    if not job.file or not job.errors:
        raise Http404(_("该导入没有错误说明。"))
    spec = import_kinds()[job.kind].spec
    try:
        with job.file.open("rb") as file:
            content = sheet_error_workbook(spec, file, job.file.name, job.errors)
    except (FileRefused, FileNotFoundError) as error:
        raise Http404(_("上传的文件已不在服务器上。")) from error
    return xlsx_response(content, f"{Path(job.filename).stem}-错误说明.xlsx")
