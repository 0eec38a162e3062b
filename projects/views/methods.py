"""Front-end view of the methods library: a partnership's research team proposes a method or a tool."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from hub.forms import apply_validation_error
from projects.forms.methods import MethodProposalForm
from projects.models import Partnership
from projects.services.methods import can_propose_method, method_propose, tool_propose


@login_required
def method_propose_view(request, slug: str):
    partnership = get_object_or_404(Partnership, slug=slug)
    allowed, _reason = can_propose_method(request.user, partnership)
    if not allowed:
        raise Http404  # the partnership's workspace is not advertised to outsiders
    form = MethodProposalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["kind"] == MethodProposalForm.KIND_METHOD:
                page = method_propose(
                    partnership=partnership,
                    by=request.user,
                    title=data["title"],
                    summary=data["summary"],
                    what_it_is=data["what_it_is"],
                    when_to_use=data["when_to_use"],
                    ethics=data["ethics"],
                )
                message = _(
                    "Thank you. “%(title)s” was sent to the network coordinators, who review it before it is published in the methods library. We emailed you a copy."
                )
            else:
                page = tool_propose(
                    partnership=partnership,
                    by=request.user,
                    method_page=data["method_page"],
                    title=data["title"],
                    description=data["description"],
                    url=data["url"],
                    upload=data["file"],
                )
                message = _(
                    "Thank you. Your tool for “%(title)s” was sent to the network coordinators, who review it before it appears on the method's page. We emailed you a copy."
                )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, message % {"title": page.title})
            return redirect(partnership.get_absolute_url() if partnership.is_public else "dashboard")
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request,
        "projects/methods/propose.html",
        {"partnership": partnership, "form": form},
        status=status,
    )
