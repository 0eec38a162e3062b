"""Emails about results that are not part of a form's own flow: the commissioning city hears of a new result."""

from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from hub.mail import send_templated
from profiles.models import Membership
from projects.models import Result


def notify_city_of_result(*, result_id: int) -> int:
    """Tell the officials of the city that commissioned the partnership that a result is published.

    Runs after the publishing transaction commits (the status change is locked, so once per result);
    returns how many people were told. The right of reply is the point: the email leads to the response form.
    """
    result = (
        Result.objects.select_related("partnership", "partnership__city")
        .filter(pk=result_id, status=Result.Status.PUBLISHED)
        .first()
    )
    city = result.partnership.city if result else None
    if city is None:
        return 0
    addresses = list(
        Membership.objects.filter(organisation=city, status=Membership.Status.APPROVED, user__is_active=True)
        .filter(~Q(user__email=""))
        .values_list("user__email", flat=True)
        .distinct()
    )
    if not addresses:
        return 0
    with translation.override("en"):  # addresses of the English site; each language's page links to the others
        context = {
            "result": result,
            "partnership": result.partnership,
            "city": city,
            "result_url": result.get_absolute_url(),
            "respond_url": reverse("result_response", args=[result.slug]),
        }
        send_templated("projects/results/email/city_new_result", context, addresses)
    return len(addresses)
