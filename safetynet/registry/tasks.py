"""Background work of the registry (Django tasks; `safetynet run` starts a db_worker)."""

from django.tasks import task

from safetynet.registry import imports
from safetynet.registry.models import ImportJob


@task()
def import_households(job_id: int) -> None:
    """Run one spreadsheet import; its progress and outcome are on the ImportJob row."""
    # A worker that starts work marks the jobs a killed worker left "running" as interrupted
    # (pages and the API do the same whenever they read jobs).
    imports.settle_interrupted()
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.QUEUED:
        return  # gone, or already run: a task delivered twice imports once
    imports.run_import(job)
