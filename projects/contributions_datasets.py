"""What datasets contribute to hub pages: the number of public datasets, and a person's data-access requests
in their personal-data export."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from hub.registry import PersonalDataPart, Stat, register_personal_data, register_stat


def _count_datasets() -> int:
    from projects.selectors.datasets import datasets_public

    return datasets_public().count()


def _personal_data(user) -> dict:
    """The user's access requests (with the decisions) and their logged downloads of non-open datasets."""
    from projects.models import DataAccessRequest, DatasetDownload

    requests = DataAccessRequest.objects.filter(requester=user).select_related("dataset").order_by("created_at")
    downloads = DatasetDownload.objects.filter(user=user).select_related("dataset").order_by("downloaded_at")
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


def register() -> None:
    register_stat(Stat("datasets", _("datasets"), 55, _count_datasets, url=reverse_lazy("dataset_list")))
    register_personal_data(PersonalDataPart("datasets", _personal_data))
