"""Requesting and running background jobs.

A job is queued after its row commits and run by a worker through
``job_run``. Running is idempotent: a finished job is never run again, and a
job whose worker died mid-run (acks late, reject on worker lost) is simply run
again from the start. The result file is attached in the same transaction that
marks the job succeeded, so a job never points at a half-written file.
"""

from __future__ import annotations

import datetime
import logging
from datetime import timedelta
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reports import permissions
from reports.models import KIND_PARAMETERS, Job, JobKind, JobStatus, ReportFormat
from stations.divisions import InvalidDivisionCode, normalize_code
from stations.models import Membership, Role, Tenant
from stations.scoping import Scope, scope_of
from stations.selectors import divisions_visible
from stations.services import acting

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(hours=2)


def job_request(
    *,
    actor: Membership,
    kind: str,
    division_code: object | None = None,
    parameters: dict | None = None,
) -> Job:
    """Record a job for ``actor`` over a division in their scope and queue it after commit."""
    if not permissions.can_use_jobs(actor):
        raise PermissionDenied(_("您的角色不能生成导出或报表。"))
    if kind not in JobKind.values:
        raise ValidationError({"kind": _("未知的任务类型“%(kind)s”。") % {"kind": kind}})
    scope = actor.scope_division
    if division_code:
        try:
            code = normalize_code(division_code)
        except InvalidDivisionCode as error:
            raise ValidationError({"division": str(error)}) from error
        found = divisions_visible(actor).filter(code=code).first()
        if found is None:
            raise ValidationError({"division": _("该区划不存在或不在您的管辖范围内。")})
        scope = found
    parameters = _clean_parameters(kind, parameters or {})
    with acting(actor.user, action="job_request", tenant=actor.tenant.code):
        job = Job(
            tenant=actor.tenant,
            requested_by=actor.user,
            role=actor.role,
            scope=scope,
            requester_scope=scope_of(actor).snapshot(),
            kind=kind,
            parameters=parameters,
        )
        job.full_clean()
        job.save()
        transaction.on_commit(lambda: job_enqueue(job_id=job.pk))
    return job


def _clean_parameters(kind: str, parameters: dict) -> dict:
    """The parameters a kind takes, checked and normalised; others are refused."""
    unknown = set(parameters) - set(KIND_PARAMETERS[kind])
    if unknown:
        raise ValidationError({name: _("该任务类型不接受此参数。") for name in sorted(unknown)})
    if kind != JobKind.COVERAGE_REPORT:
        return {}
    errors = {}
    today = timezone.localdate()
    as_of = parameters.get("as_of") or today.isoformat()
    try:
        as_of_date = (
            as_of if isinstance(as_of, datetime.date) else datetime.date.fromisoformat(str(as_of))
        )
    except ValueError:
        errors["as_of"] = _("统计日期“%(value)s”无效，请按 YYYY-MM-DD 填写。") % {"value": as_of}
    else:
        if as_of_date > today:
            errors["as_of"] = _("统计日期不能晚于今天。")
    report_format = parameters.get("format") or ReportFormat.PDF
    if report_format not in ReportFormat.values:
        errors["format"] = _("报告格式只能是 pdf 或 xlsx。")
    if errors:
        raise ValidationError(errors)
    return {"as_of": as_of_date.isoformat(), "format": report_format}


def coverage_reports_schedule(*, today: datetime.date | None = None) -> list[Job]:
    """Each tenant's city coverage report for the end of the previous month, PDF and XLSX.

    Run by beat on the 1st. A report already scheduled for that month is not
    scheduled again (the job_scheduled_once constraint), so beat firing twice
    queues nothing more. Returns the jobs created now.
    """
    today = today or timezone.localdate()
    month_end = today.replace(day=1) - timedelta(days=1)
    created = []
    with acting(None, action="coverage_reports_schedule", month=month_end.isoformat()):
        for tenant in Tenant.objects.select_related("division").order_by("code"):
            for report_format in ReportFormat.values:
                job, was_created = Job.objects.get_or_create(
                    tenant=tenant,
                    kind=JobKind.COVERAGE_REPORT,
                    scope=tenant.division,
                    requested_by=None,
                    parameters__as_of=month_end.isoformat(),
                    parameters__format=report_format,
                    defaults={
                        "role": Role.CITY_ADMIN,
                        "requester_scope": Scope.for_tenant(tenant).snapshot(),
                        "parameters": {"as_of": month_end.isoformat(), "format": report_format},
                    },
                )
                if was_created:
                    created.append(job)
                    transaction.on_commit(partial(job_enqueue, job_id=job.pk))
    return created


def job_enqueue(*, job_id: int) -> None:
    """Send a job to the queue; when the broker cannot take it, the job fails with a reason."""
    from reports.tasks import run_job

    try:
        run_job.delay(job_id)
    except Exception as error:  # noqa: BLE001 - any broker failure leaves the job unqueued
        logger.exception("could not queue job %s", job_id)
        with acting(None, action="job_enqueue_failed"):
            Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
                status=JobStatus.FAILED,
                error=_("任务队列暂不可用（%(error)s），请稍后重新提交。")
                % {"error": type(error).__name__},
                finished_at=timezone.now(),
            )


def _set_progress(job_id: int, progress: int) -> None:
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(progress=min(progress, 99))


def job_run(*, job_id: int) -> Job | None:
    """Produce the file of one job; do nothing for a finished or unknown job.

    A job found RUNNING was cut off (its worker died) and is run again from the
    start. The final state is written only while the job is still RUNNING, so a
    second delivery of the same job can neither duplicate nor undo the first.
    """
    from reports.exports import PRODUCERS

    with acting(None, action="job_run", job=job_id):
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return job
        job.status = JobStatus.RUNNING
        job.progress = 5
        job.attempts += 1
        job.started_at = timezone.now()
        job.save(update_fields=["status", "progress", "attempts", "started_at"])

    try:
        filename, content = PRODUCERS[job.kind](job, lambda value: _set_progress(job.pk, value))
    except Exception as error:
        logger.exception("job %s failed", job.pk)
        with acting(None, action="job_failed", job=job_id):
            Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
            )
        return Job.objects.get(pk=job.pk)

    with acting(None, action="job_succeeded", job=job_id):
        current = Job.objects.select_for_update().get(pk=job.pk)
        if current.status != JobStatus.RUNNING:  # another delivery finished it first
            return current
        current.result_file.save(filename, ContentFile(content), save=False)
        current.status = JobStatus.SUCCEEDED
        current.progress = 100
        current.finished_at = timezone.now()
        current.save(update_fields=["result_file", "status", "progress", "finished_at"])
    return current


def jobs_fail_stale(*, now=None) -> int:
    """Fail the jobs left pending or running longer than STALE_AFTER; returns how many."""
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    with acting(None, action="jobs_fail_stale"):
        running = Job.objects.filter(status=JobStatus.RUNNING, started_at__lt=cutoff)
        pending = Job.objects.filter(status=JobStatus.PENDING, created_at__lt=cutoff)
        return (running | pending).update(
            status=JobStatus.FAILED, error=_("任务超时未完成，请重新提交。"), finished_at=now
        )
