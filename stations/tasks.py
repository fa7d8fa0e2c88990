"""Celery tasks of the stations app: thin wrappers around services."""

from celery import shared_task

from stations.facility_import import pending_uploads_purge


@shared_task(name="stations.tasks.purge_pending_uploads")
def purge_pending_uploads() -> int:
    return pending_uploads_purge()
