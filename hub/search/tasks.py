"""Index sync as django-tasks tasks, enqueued by ``hub.search.signals`` on save, publish and delete."""

from django_tasks import task

from hub.search import indexing


@task()
def sync_object(kind: str, object_id: str) -> str:
    """Re-read one object through its public queryset and index it, or remove it if it is not public."""
    return indexing.sync(kind, object_id)


@task()
def reconcile() -> list[str]:
    """Bring the whole index in line (also picks up results whose embargo ended today); run daily."""
    return [str(report) for report in indexing.reconcile_all()]
