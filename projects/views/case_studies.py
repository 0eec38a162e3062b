"""Front-end shortcut of case studies: a coordinator turns a partnership into a draft and edits it in the admin."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.models import CaseStudyPage, Partnership
from projects.services.case_studies import can_create_case_study, case_study_from_partnership


@login_required
@require_POST
def case_study_create(request, slug: str):
    allowed, _reason = can_create_case_study(request.user)
    if not allowed:
        raise Http404
    partnership = get_object_or_404(Partnership, slug=slug)
    existed = CaseStudyPage.objects.filter(partnership=partnership).exists()
    try:
        page = case_study_from_partnership(partnership=partnership, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(partnership.get_absolute_url())
    if existed:
        messages.info(request, _("This partnership already has a case study: here it is."))
        return redirect(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    messages.success(
        request,
        _(
            "The case study “%(title)s” is ready as a draft, pre-filled from the partnership. Write what changed, then publish."
        )
        % {"title": page.title},
    )
    return redirect(reverse("wagtailadmin_pages:edit", args=[page.pk]))
