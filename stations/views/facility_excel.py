"""Facility spreadsheets: the import template, upload → preview → confirm, and the export.

An upload is kept under MEDIA_ROOT/imports/ by a random token that only the
uploader's session knows (with the tenant it was uploaded for), and only when
its preview passed; the confirm step reads that file again and runs the same
checks, so nothing the browser sends back is trusted and another user's token
answers 404. A token is spent by its first confirm, whatever the outcome.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from stations import permissions, selectors
from stations.facility_import import (
    CHANGED,
    COLUMNS,
    EXPORT_ORDER,
    MAX_ROWS,
    NEW,
    UNCHANGED,
    ImportFileError,
    facilities_export,
    facilities_export_filename,
    facilities_import,
    facility_error_workbook,
    facility_rows_read,
    facility_template,
    pending_uploads_folder,
)
from stations.filters import FacilityFilter
from stations.scoping import ScopedView
from stations.spreadsheets import xlsx_response
from stations.spreadsheets.reading import SUFFIXES as UPLOAD_SUFFIXES

SESSION_KEY = "facility_imports"
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# upsert: a row whose 所在区划代码 + 层级 names a facility updates it; create: every row is new.
MODES = ("upsert", "create")


def _upload_path(token: str, suffix: str) -> Path:
    return pending_uploads_folder() / f"{token}{suffix}"


class FacilityTemplateView(ScopedView):
    """The empty import template for the user's scope."""

    capability = staticmethod(permissions.can_create_facilities)

    def get(self, request):
        content = facility_template(self.membership)
        code = self.membership.scope_division.short_code
        return xlsx_response(content, f"{code}-facilities-template.xlsx")


class FacilityExportView(ScopedView):
    """The facility list as filtered on the list page, as XLSX."""

    selector = staticmethod(selectors.facilities_visible)
    capability = staticmethod(permissions.can_see_network)

    def get(self, request):
        # Exactly the list page's rows: an invalid filter is ignored there, so here too.
        filterset = FacilityFilter(request.GET or None, queryset=self.get_queryset())
        queryset = filterset.qs if filterset.is_bound else self.get_queryset()
        content = facilities_export(queryset.order_by(*EXPORT_ORDER))
        return xlsx_response(content, facilities_export_filename(self.membership))


class FacilityImportErrorsView(ScopedView):
    """The uploaded file of a failed preview with a 错误说明 column and the bad cells marked.

    Only the uploader's session knows the token; the checks run again on the
    stored file, so the workbook shows the errors as they are now.
    """

    capability = staticmethod(permissions.can_create_facilities)

    def get(self, request, token: str):
        stored = request.session.get(SESSION_KEY, {}).get(token)
        if (
            not isinstance(stored, dict)
            or stored.get("tenant") != self.membership.tenant.code
            or stored.get("suffix") not in UPLOAD_SUFFIXES
            or stored.get("mode") not in MODES
            or not TOKEN.fullmatch(token)
        ):
            raise Http404(_("该导入文件不存在或已处理。"))
        path = _upload_path(token, stored["suffix"])
        if not path.exists():
            raise Http404(_("该导入文件不存在或已处理。"))
        with path.open("rb") as file:
            rows = facility_rows_read(file, path.name)
        result = facilities_import(self.membership, rows, commit=False, mode=stored["mode"])
        with path.open("rb") as file:
            content = facility_error_workbook(file, path.name, result)
        stem = Path(stored.get("name") or "facilities").stem
        return xlsx_response(content, f"{stem}-错误说明.xlsx")


class FacilityImportView(ScopedView):
    """GET the upload form; POST a file for the preview, or a token to commit it."""

    capability = staticmethod(permissions.can_create_facilities)

    def get(self, request):
        return self.render_upload(request)

    def post(self, request):
        if request.POST.get("token"):
            return self.confirm(request, request.POST["token"])
        upload = request.FILES.get("file")
        if upload is None:
            return self.render_upload(
                request, _("请选择要上传的 Excel 文件（.xlsx、.xls、.ods 或 CSV）。")
            )
        suffix = Path(upload.name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            suffix = ""  # the kit refuses it with its message
        mode = request.POST.get("mode") if request.POST.get("mode") in MODES else "upsert"
        try:
            rows = facility_rows_read(upload, upload.name)
        except ImportFileError as error:
            return self.render_upload(request, str(error))
        result = facilities_import(self.membership, rows, commit=False, mode=mode)
        # Kept either way: to confirm it, or to download its error workbook.
        token = secrets.token_urlsafe(16)
        path = _upload_path(token, suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        upload.seek(0)
        path.write_bytes(upload.read())
        pending = request.session.get(SESSION_KEY, {})
        # The tenant it was uploaded for, its type (the stored name keeps the suffix), the
        # mode, and what the preview showed: the commit must do exactly that.
        pending[token] = {
            "tenant": self.membership.tenant.code,
            "suffix": suffix,
            "mode": mode,
            "plan": result.plan_digest,
            "ok": result.ok,  # a file with errors can only give its error workbook
            "name": Path(upload.name).name[:100],
        }
        request.session[SESSION_KEY] = pending
        return self.render_preview(request, result, token, upload.name)

    def confirm(self, request, token: str):
        pending = request.session.get(SESSION_KEY, {})
        stored = pending.pop(token, None)
        if not isinstance(stored, dict):
            stored = {}
        suffix = stored.get("suffix", "")
        if (
            stored.get("tenant") != self.membership.tenant.code
            or suffix not in UPLOAD_SUFFIXES
            or stored.get("mode") not in MODES
            or not stored.get("ok")
            or not TOKEN.fullmatch(token)
        ):
            raise Http404(_("该导入文件不存在或已处理。"))
        request.session[SESSION_KEY] = pending
        # Claimed by an atomic rename: a second click (or a second tab) finds nothing and gets
        # 404 instead of importing the file twice. The claimed file is still purged by beat.
        claimed = _upload_path(f"{token}.claimed", suffix)
        try:
            _upload_path(token, suffix).rename(claimed)
        except FileNotFoundError:
            raise Http404(_("该导入文件不存在或已处理。")) from None
        try:
            with claimed.open("rb") as file:
                rows = facility_rows_read(file, claimed.name)
            result = facilities_import(
                self.membership,
                rows,
                commit=True,
                mode=stored["mode"],
                expected=stored.get("plan"),
            )
        except ImportFileError as error:
            return self.render_upload(request, str(error))
        finally:
            claimed.unlink(missing_ok=True)
        if not result.committed:  # the data changed since the preview; the user re-uploads
            return self.render_preview(request, result, "", "", changed_since=True)
        messages.success(
            request,
            _("已导入 %(total)d 个站点：新增 %(new)d，修改 %(changed)d，无变化 %(unchanged)d。")
            % {
                "total": len(result.plans),
                "new": len(result.created),
                "changed": len(result.updated),
                "unchanged": result.count(UNCHANGED),
            },
        )
        return redirect("stations:facility-list")

    def render_upload(self, request, error: str | None = None):
        context = {
            "error": error,
            "max_rows": MAX_ROWS,
            "template_url": reverse("stations:facility-import-template"),
        }
        return render(
            request, "stations/facility_import.html", context, status=400 if error else 200
        )

    def render_preview(self, request, result, token: str, filename: str, changed_since=False):
        headers = [column.header for column in COLUMNS[:8]]
        rows = [
            {
                "number": row["row"],
                "cells": [row["values"].get(column.field, "") for column in COLUMNS[:8]],
                "errors": result.errors_of(row["row"]),
                "plan": result.plans.get(row["row"]),
            }
            for row in result.rows
        ]
        context = {
            "changed_since": changed_since,
            "counts": {action: result.count(action) for action in (NEW, CHANGED, UNCHANGED)},
            "result": result,
            "rows": rows,
            "headers": headers,
            "token": token,
            "filename": filename,
        }
        return render(request, "stations/facility_import_preview.html", context)
