"""Spreadsheet imports as jobs: upload, preview, commit; in the request or in the worker.

A file of at most INLINE_ROWS rows is previewed and committed in the request
that asks; a bigger one by the Celery worker, while the page polls the job.
Either way the same functions run, with the uploader's membership as it is
when they run, and the job keeps what the preview showed: the commit writes
only if the plan is still the same (else it shows the new plan).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stations.models import ImportJob, ImportMode, ImportStatus, Membership
from stations.registry import ImportKind, import_kinds
from stations.services.history import acting
from stations.spreadsheets import MAX_BYTES, FileRefused
from stations.spreadsheets.importing import ImportResult, sheet_rows
from stations.spreadsheets.reading import SUFFIXES

logger = logging.getLogger(__name__)

# Files up to this many rows are checked and written in the request; bigger ones by the worker.
INLINE_ROWS = 200
# The rows of a preview kept for the page (every row with an error or a change is kept).
PLAN_CELLS = 8


class ImportConflict(Exception):
    """The import is not in a state that allows this (already committed, has errors, busy)."""


def import_kind_for(actor: Membership, code: str) -> ImportKind:
    """The import kind ``code`` if the actor may use it; ValidationError/PermissionDenied else."""
    kind = import_kinds().get(code)
    if kind is None:
        raise ValidationError(
            {"kind": _("未知的导入类型“%(kind)s”，可选：%(kinds)s。")
            % {"kind": code, "kinds": "、".join(import_kinds())}}
        )  # fmt: skip
    if not kind.may_import(actor):
        raise PermissionDenied(_("您的角色不能导入%(label)s。") % {"label": kind.label})
    return kind


def import_start(
    *, actor: Membership, kind: str, file, filename: str, mode: str = ImportMode.UPSERT
) -> ImportJob:
    """Keep an uploaded file as an import job and preview it (now, or by the worker).

    ``file`` is a binary file object, ``filename`` its name as uploaded (the
    suffix says its format). Raises PermissionDenied for a role that cannot
    import this kind, and ValidationError on ``kind``, ``mode`` or ``file``
    (every message in Chinese) when nothing was kept: a file that is not a
    spreadsheet, too big, empty, or lacks a required column.
    """
    import_kind = import_kind_for(actor, kind)
    if mode not in ImportMode.values:
        raise ValidationError(
            {"mode": _("导入方式只能是 upsert（按唯一标识更新）或 create（全部新增）。")}
        )
    content = file.read(MAX_BYTES + 1)
    try:
        rows = sheet_rows(import_kind.spec, ContentFile(content), filename)
    except FileRefused as error:
        raise ValidationError({"file": str(error)}) from error
    suffix = Path(filename).suffix.lower()
    with acting(actor.user, action="import_start", tenant=actor.tenant.code, kind=kind):
        job = ImportJob(
            tenant=actor.tenant,
            membership=actor,
            requested_by=actor.user,
            kind=kind,
            mode=mode,
            filename=Path(filename).name[:200],
            rows=len(rows),
            busy_since=timezone.now(),
        )
        # Stored under a random name that keeps the suffix the reader goes by.
        job.file.save(
            f"{uuid.uuid4().hex}{suffix if suffix in SUFFIXES else ''}",
            ContentFile(content),
            save=False,
        )
        job.save()
        if len(rows) > INLINE_ROWS:
            transaction.on_commit(lambda: _enqueue("preview", job.pk))
    if len(rows) <= INLINE_ROWS:
        import_preview_run(job_id=job.pk, rows=rows, report=False)
        job.refresh_from_db()
    return job


def import_commit(*, actor: Membership, job: ImportJob) -> ImportJob:
    """Write what the preview of ``job`` showed (now, or by the worker).

    Only the uploader commits, once, a preview without errors: otherwise
    ImportConflict. The commit writes nothing when the data changed since the
    preview: the job then shows the new plan with ``changed_since``.
    """
    with acting(actor.user, action="import_commit", tenant=actor.tenant.code, job=job.pk):
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.requested_by_id != actor.user_id or locked.tenant_id != actor.tenant_id:
            raise PermissionDenied(_("只有上传人可以确认导入。"))
        if locked.status == ImportStatus.COMMITTED:
            raise ImportConflict(_("该文件已经导入，不能重复导入。"))
        if locked.status == ImportStatus.COMMITTING:
            raise ImportConflict(_("该文件正在导入，请稍候。"))
        if not locked.may_commit:
            raise ImportConflict(_("该文件还没有通过检查，不能导入。"))
        locked.status = ImportStatus.COMMITTING
        locked.progress = 0
        locked.busy_since = timezone.now()
        locked.save(update_fields=["status", "progress", "busy_since"])
        if locked.rows > INLINE_ROWS:
            transaction.on_commit(lambda: _enqueue("commit", locked.pk))
    if locked.rows <= INLINE_ROWS:
        import_commit_run(job_id=locked.pk, report=False)
    locked.refresh_from_db()
    return locked


def _enqueue(step: str, job_id: int) -> None:
    from stations.tasks import commit_import, preview_import

    try:
        (preview_import if step == "preview" else commit_import).delay(job_id)
    except Exception:  # the broker is down: the job stays busy and says so
        logger.exception("could not queue import %s of job %s", step, job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, error=_("后台任务服务暂时不可用，请稍后重新上传。")
        )


def _progress_reporter(job_id: int):
    """A progress callback writing through the second connection (visible while we work)."""

    def report(percent: int) -> None:
        ImportJob.objects.using("progress").filter(pk=job_id).update(
            progress=max(0, min(int(percent), 99))
        )

    return report


def _job_lock(job_id: int) -> bool:
    """Take this job's advisory lock for the transaction; False if another run holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [0x1A7, job_id])
        return bool(cursor.fetchone()[0])


def _read(job: ImportJob) -> list[dict]:
    spec = import_kinds()[job.kind].spec
    with job.file.open("rb") as file:
        return sheet_rows(spec, file, job.file.name or job.filename)


def _store_preview(job: ImportJob, result: ImportResult) -> None:
    job.counts = result.counts
    job.errors = [error.as_dict() for error in result.errors]
    spec = import_kinds()[job.kind].spec
    shown = [column.field for column in spec.columns[:PLAN_CELLS]]
    job.plan = [
        {
            "row": row["row"],
            "action": plan.action if (plan := result.plans.get(row["row"])) else "",
            "changes": [list(change) for change in plan.changes] if plan else [],
            # Kept and shown as the column displays them (an ID number masked).
            "cells": [spec.shown(name, str(row["values"].get(name, ""))) for name in shown],
        }
        for row in result.rows
    ]
    job.plan_digest = result.plan_digest
    job.previewed_at = timezone.now()


def _claim(job_id: int, status: str) -> ImportJob | None:
    """The job for this run if it is in ``status``, else None (a second delivery, done).

    Holds the job's advisory lock for the transaction (a concurrent delivery
    gets None). A job whose uploader's account, membership or tenant has been
    deactivated since is failed: the worker never writes for someone who
    could not sign in now.
    """
    if not _job_lock(job_id):
        return None
    job = ImportJob.objects.select_related(
        "membership__user", "membership__tenant", "membership__scope"
    ).get(pk=job_id)
    if job.status != status:
        return None
    membership = job.membership
    if not (membership.is_active and membership.tenant.is_active and membership.user.is_active):
        _fail(job, _("上传人的账号或成员身份已停用，没有写入任何数据。"))
        return None
    return job


def _run(job: ImportJob, *, commit: bool, progress, rows: list[dict] | None = None):
    """The import kind's run over the job's file; None (and the job failed) if it cannot."""
    try:
        rows = rows if rows is not None else _read(job)
        return import_kinds()[job.kind].run(
            job.membership,
            rows,
            commit=commit,
            mode=job.mode,
            expected=job.plan_digest if commit else None,
            progress=progress,
        )
    except (FileRefused, PermissionDenied) as error:
        _fail(job, str(error))
    except Exception as error:
        logger.exception("import %s of job %s failed", "commit" if commit else "preview", job.pk)
        _fail(job, _("处理时出现系统错误，没有写入任何数据：%(error)s") % {"error": error})
    return None


def _uploader(job_id: int):
    # The uploader's name on every row written: history says who imported, not "the worker".
    return ImportJob.objects.select_related("requested_by").get(pk=job_id).requested_by


def import_preview_run(*, job_id: int, rows: list[dict] | None = None, report=True) -> None:
    """Check every row of the job's file and keep the preview; the worker's task body.

    Does nothing unless the job is being previewed (a second delivery, a
    finished job). A file that can no longer be read fails the job.
    """
    progress = _progress_reporter(job_id) if report else None
    with acting(_uploader(job_id), action="import_preview", job=job_id), transaction.atomic():
        job = _claim(job_id, ImportStatus.PREVIEWING)
        if job is None:
            return
        job.attempts += 1
        result = _run(job, commit=False, progress=progress, rows=rows)
        if result is None:
            return
        _store_preview(job, result)
        job.status = ImportStatus.PREVIEWED
        job.progress = 100
        job.save()


def import_commit_run(*, job_id: int, report=True) -> None:
    """Write the job's rows if the plan is still the preview's; the worker's task body.

    Runs in one transaction with the records it writes, so a worker that dies
    leaves the job committing and nothing written, and the redelivered task
    runs it again; a delivery while another runs, or after it, does nothing.
    """
    progress = _progress_reporter(job_id) if report else None
    with acting(_uploader(job_id), action="import_commit", job=job_id), transaction.atomic():
        job = _claim(job_id, ImportStatus.COMMITTING)
        if job is None:
            return
        job.attempts += 1
        result = _run(job, commit=True, progress=progress)
        if result is None:
            return
        if result.committed:
            job.counts = result.counts
            job.status = ImportStatus.COMMITTED
            job.committed_at = timezone.now()
        else:  # the data changed since the preview, or a check now fails: show the new preview
            job.changed_since = result.plan_digest != job.plan_digest
            _store_preview(job, result)
            job.status = ImportStatus.PREVIEWED
        job.progress = 100
        job.save()


def _fail(job: ImportJob, message: str) -> None:
    job.status = ImportStatus.FAILED
    job.error = message[:2000]
    job.progress = 100
    job.save(update_fields=["status", "error", "progress"])


# Imports still checking or writing after this long were lost (no worker, broker down).
STALE_AFTER = datetime.timedelta(hours=2)


def imports_fail_stale(*, now: datetime.datetime | None = None) -> int:
    """Fail the imports busy for longer than STALE_AFTER; returns how many.

    A commit that never ran wrote nothing (its writes and its status share a
    transaction), so the uploader can simply upload again.
    """
    cutoff = (now or timezone.now()) - STALE_AFTER
    stale = ImportJob.objects.filter(
        status__in=[ImportStatus.PREVIEWING, ImportStatus.COMMITTING], busy_since__lt=cutoff
    )
    count = 0
    with acting(None, action="imports_fail_stale"):
        for job in stale.select_for_update(skip_locked=True):
            if not _job_lock(job.pk):
                continue  # a worker is running it right now: not lost
            _fail(job, _("后台任务超过 2 小时没有完成，没有写入任何数据，请重新上传。"))
            count += 1
    return count


def imports_purge(*, older_than_days: int = 30) -> int:
    """Delete the files of imports older than ``older_than_days`` (the records stay)."""
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    purged = 0
    for job in ImportJob.objects.filter(created_at__lt=cutoff).exclude(file=""):
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")
        purged += 1
    return purged
