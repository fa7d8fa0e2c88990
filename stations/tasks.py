"""Celery tasks of the stations app: thin wrappers around services."""

from celery import shared_task

from stations.services import imports


@shared_task(name="stations.tasks.preview_import", acks_late=True, reject_on_worker_lost=True)
def preview_import(job_id: int) -> None:
    imports.import_preview_run(job_id=job_id)


@shared_task(name="stations.tasks.commit_import", acks_late=True, reject_on_worker_lost=True)
def commit_import(job_id: int) -> None:
    imports.import_commit_run(job_id=job_id)


@shared_task(name="stations.tasks.purge_import_files")
def purge_import_files() -> int:
    return imports.imports_purge()


@shared_task(name="stations.tasks.fail_stale_imports")
def fail_stale_imports() -> int:
    return imports.imports_fail_stale()
