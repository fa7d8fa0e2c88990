"""Celery tasks of the reports app: thin wrappers around services."""

from celery import shared_task

from reports import services


@shared_task(name="reports.tasks.run_job", acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: int) -> str | None:
    job = services.job_run(job_id=job_id)
    return job.status if job else None


@shared_task(name="reports.tasks.fail_stale_jobs")
def fail_stale_jobs() -> int:
    return services.jobs_fail_stale()


@shared_task(name="reports.tasks.monthly_reports")
def monthly_reports() -> int:
    return len(services.monthly_reports_schedule())


@shared_task(name="reports.tasks.daily_alerts")
def daily_alerts() -> dict[str, int]:
    from reports.alerts import alerts_daily

    return alerts_daily()
