"""Requesting and running background jobs.

A job is queued after its row commits and run by a worker through
``job_run``. Running is idempotent: a finished job is never run again, and a
job whose worker died mid-run (acks late, reject on worker lost) is simply run
again from the start. The result file is attached in the same transaction that
marks the job succeeded, so a job never points at a half-written file.
"""

from __future__ import annotations

import datetime
import itertools
import logging
from datetime import timedelta
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import permissions
from reports.models import Job, JobKind, JobStatus, ReportFormat
from stations import permissions as station_permissions
from stations.divisions import InvalidDivisionCode, normalize_code
from stations.models import Division, Membership, Tenant
from stations.registry import ReportKind, report_kinds
from stations.scoping import Scope, scope_of
from stations.selectors import division_get, divisions_visible
from stations.services import acting

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(hours=2)


EARLIEST_AS_OF = datetime.date(2000, 1, 1)


def job_request(
    *,
    actor: Membership,
    kind: str,
    division_code: object | None = None,
    parameters: dict | None = None,
) -> Job:
    """Record a job of a registered kind for ``actor`` and queue it after commit.

    The division (default: the actor's county or city) must be in scope and at
    a level the kind accepts; the parameters are the kind's, checked here and
    not in the worker. Every problem is reported at once (ValidationError by
    field: ``kind``, ``division``, ``as_of``, ``format``); a kind the role may
    not ask for raises PermissionDenied. The same request while the first is
    still pending returns the first job.
    """
    if not permissions.can_use_jobs(actor):
        raise PermissionDenied(_("您的角色不能生成导出或报表。"))
    report_kind = report_kinds().get(str(kind))
    if report_kind is None:
        raise ValidationError({"kind": _("未知的任务类型“%(kind)s”。") % {"kind": kind}})
    if not report_kind.may_request(actor):
        raise PermissionDenied(_("您的角色不能生成此类报表。"))
    errors: dict[str, list[str]] = {}
    scope = actor.scope_division
    if division_code:
        try:
            scope = report_division(actor, division_code, report_kind.division_levels)
        except ValidationError as error:
            errors.update(error.message_dict)
    try:
        parameters = _clean_parameters(report_kind, parameters or {})
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with acting(actor.user, action="job_request", tenant=actor.tenant.code):
        pending = (
            Job.objects.select_for_update()
            .filter(
                tenant=actor.tenant,
                requested_by=actor.user,
                kind=report_kind.code,
                scope=scope,
                parameters=parameters,
                status=JobStatus.PENDING,
            )
            .first()
        )
        if pending is not None:  # asked twice (a double click, a retried call)
            return pending
        job = Job(
            tenant=actor.tenant,
            requested_by=actor.user,
            role=actor.role,
            scope=scope,
            requester_scope=scope_of(actor).snapshot(),
            kind=report_kind.code,
            parameters=parameters,
        )
        job.full_clean()
        job.save()
        transaction.on_commit(lambda: job_enqueue(job_id=job.pk))
    return job


LEVEL_WORDS = {
    "city": gettext_lazy("市"),
    "county": gettext_lazy("县（市、区）"),
    "township": gettext_lazy("乡镇（街道）"),
}


def report_division(actor: Membership, code: object, levels: tuple[str, ...]) -> Division:
    """The division ``code`` names, inside the actor's scope and at one of ``levels``.

    Raises ValidationError on ``division`` with a Chinese message otherwise.
    """
    try:
        full_code = normalize_code(code)
    except InvalidDivisionCode as error:
        raise ValidationError({"division": str(error)}) from error
    found = divisions_visible(actor).filter(code=full_code).first()
    if found is None:
        raise ValidationError({"division": _("该区划不存在或不在您的管辖范围内。")})
    if found.level not in levels:
        raise ValidationError(
            {
                "division": _("此类报表只能按%(levels)s生成，“%(name)s”是%(level)s。")
                % {
                    "levels": "、".join(str(LEVEL_WORDS.get(level, level)) for level in levels),
                    "name": found.name,
                    "level": found.get_level_display(),
                }
            }
        )
    return found


def report_division_or_404(actor: Membership, code: object, levels: tuple[str, ...]) -> Division:
    """Like ``report_division`` for reads: a division outside the scope (or malformed)
    answers 404 like a missing one; one in scope at another level is a ValidationError."""
    division = division_get(actor, code, counting=False)  # Http404: malformed or foreign
    return report_division(actor, division.code, levels)


def report_as_of(value: object, *, field: str = "as_of") -> datetime.date:
    """A report's day: YYYY-MM-DD between 2000-01-01 and today (default today).

    Raises ValidationError on ``field`` with a Chinese message.
    """
    today = timezone.localdate()
    if value in (None, ""):
        return today
    try:
        day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(
            {field: _("统计日期“%(value)s”无效，请按 YYYY-MM-DD 填写。") % {"value": value}}
        ) from None
    if day > today:
        raise ValidationError({field: _("统计日期不能晚于今天。")})
    if day < EARLIEST_AS_OF:
        raise ValidationError({field: _("统计日期不能早于 2000-01-01。")})
    return day


def _clean_parameters(report_kind: ReportKind, parameters: dict) -> dict:
    """The parameters a kind takes, checked and normalised; others are refused."""
    unknown = set(parameters) - set(report_kind.parameters)
    if unknown:
        raise ValidationError({name: _("该任务类型不接受此参数。") for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    if "as_of" in report_kind.parameters:
        try:
            cleaned["as_of"] = report_as_of(parameters.get("as_of")).isoformat()
        except ValidationError as error:
            errors.update(error.message_dict)
    if "format" in report_kind.parameters:
        report_format = parameters.get("format") or report_kind.formats[0]
        if report_format not in report_kind.formats:
            errors["format"] = [
                _("报告格式只能是 %(formats)s。") % {"formats": "、".join(report_kind.formats)}
            ]
        cleaned["format"] = str(report_format)
    if errors:
        raise ValidationError(errors)
    return cleaned


# The reports beat makes of each tenant's city for the previous month, on the 1st.
MONTHLY_REPORTS = (JobKind.COVERAGE_REPORT, JobKind.COMPLIANCE_REPORT)


def monthly_reports_schedule(*, today: datetime.date | None = None) -> list[Job]:
    """Each tenant's city coverage and compliance reports for the end of the previous
    month, PDF and XLSX (MONTHLY_REPORTS).

    Run by beat on the 1st (Asia/Shanghai). A report already scheduled for that month is
    not scheduled again (the job_scheduled_once constraint), so beat firing twice
    queues nothing more. Returns the jobs created now.
    """
    today = today or timezone.localdate()
    month_end = today.replace(day=1) - timedelta(days=1)
    created = []
    with acting(None, action="monthly_reports_schedule", month=month_end.isoformat()):
        for tenant in Tenant.objects.select_related("division").order_by("code"):
            for kind, report_format in itertools.product(MONTHLY_REPORTS, ReportFormat.values):
                job, was_created = Job.objects.get_or_create(
                    tenant=tenant,
                    kind=kind,
                    scope=tenant.division,
                    requested_by=None,
                    parameters__as_of=month_end.isoformat(),
                    parameters__format=report_format,
                    defaults={
                        "role": station_permissions.SCHEDULED_ROLE,
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
        producer = report_kinds()[job.kind].producer
        filename, content = producer(job, lambda value: _set_progress(job.pk, value))
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
