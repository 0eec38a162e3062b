"""What datasets answer to the hooks of hub pages (registered in projects/wagtail_hooks.py): the number of public
datasets, and a person's data-access requests in their personal-data export."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from hub.registry import Stat
from projects.models import DataAccessRequest, DatasetDownload
from projects.selectors.datasets import datasets_public


def datasets_stat() -> Stat:
    return Stat("datasets", _("datasets"), datasets_public().count(), url=reverse_lazy("dataset_list"))


def personal_data(user) -> dict:
    """The user's access requests (with the decisions) and their logged downloads of non-open datasets."""
    requests = DataAccessRequest.objects.filter(requester=user).select_related("dataset").order_by("created_at")
    downloads = DatasetDownload.objects.filter(user=user).select_related("dataset").order_by("downloaded_at")
    return {"datasets": _datasets_part(requests, downloads)}


def _datasets_part(requests, downloads) -> dict:
    return {
        "access_requests": [
            {
                "dataset": r.dataset.title,
                "organisation": r.organisation,
                "purpose": r.purpose,
                "status": r.status,
                "decision_note": r.decision_note,
                "created_at": r.created_at.isoformat(),
                "decided_at": r.decided_at.isoformat() if r.decided_at else None,
            }
            for r in requests
        ],
        "downloads": [
            {"dataset": d.dataset.title, "format": d.format, "downloaded_at": d.downloaded_at.isoformat()}
            for d in downloads
        ],
    }
