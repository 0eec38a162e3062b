"""Result pages: the public list, a result's page, and the research team's create, edit, files and publish.

Every result is fetched through ``results_visible_to``: drafts and embargoed results are a 404 for
anyone outside the research team; a taken-down result's URLs show the takedown notice (HTTP 410).
Permission refusals (a city official on an edit URL) get a 403 page that says why.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hub.forms import apply_validation_error
from hub.private_files import private_file_response
from hub.public_address import absolute_url
from hub.versioning import StaleEdit
from profiles.models import ResearcherProfile
from profiles.services import is_coordinator
from projects import usage
from projects.forms.results import (
    AuthorFormSet,
    AuthorshipForm,
    PublishForm,
    ResultEditForm,
    ResultFileForm,
    ResultForm,
    TakedownForm,
    authors_from,
    authors_initial,
)
from projects.models import Partnership, PartnershipMember, Result, ResultAuthor, ResultFile
from projects.selectors import citations as citation_selectors
from projects.selectors import results as selectors
from projects.services import results as services
from projects.services import takedowns
from projects.views.transparency import takedown_notice_response


def _refused(request, reason: str):
    return render(request, "projects/results/refused.html", {"reason": reason}, status=403)


def result_list(request):
    listing = selectors.RESULTS.listing(request.GET)
    return render(request, "projects/results/result_list.html", listing.context(page_name="results"))


def _result_or_notice(request, slug: str, queryset=None):
    """(result, None) for a result the user may open, (None, notice response) when taken down; else 404."""
    queryset = selectors.results_visible_to(request.user) if queryset is None else queryset
    result = queryset.filter(slug=slug).first()
    if result is not None:
        return result, None
    hidden = selectors.result_by_slug_any(slug)
    if hidden is not None and hidden.status == Result.Status.TAKEN_DOWN:
        takedown = takedowns.takedown_for(hidden)
        if takedown is not None:
            return None, takedown_notice_response(request, takedown=takedown, object_kind=_("result"))
    raise Http404


def _json_ld(request, result: Result, authors) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle" if result.kind == Result.Kind.ARTICLE else "CreativeWork",
        "name": result.title,
        "abstract": result.abstract,
        "url": absolute_url(result.get_absolute_url()),
        "license": f"https://spdx.org/licenses/{result.licence}.html",
        "author": [{"@type": "Person", "name": a.name} for a in authors],
    }
    if result.publication_date:
        data["datePublished"] = result.publication_date.isoformat()
    if result.doi:
        data["identifier"] = f"https://doi.org/{result.doi}"
    if result.language_id:
        data["inLanguage"] = result.language.code
    text = json.dumps(data, ensure_ascii=False)
    # Like ``json_script``: no "</script>" can end the element early.
    return mark_safe(text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026"))  # noqa: S308


def _render_detail(request, result: Result, *, publish_form=None, status: int = 200):
    user = request.user
    membership = (
        PartnershipMember.objects.filter(partnership=result.partnership, user=user)
        .values_list("side", flat=True)
        .first()
        if user.is_authenticated
        else None
    )
    research = membership == PartnershipMember.Side.RESEARCH and user.is_active
    authors = list(result.authors.all())
    linked = selectors.visible_author_profiles(authors, user)
    public = selectors.is_public(result)
    coordinator = is_coordinator(user)
    max_months = services.embargo_max_months() if research and result.status == Result.Status.DRAFT else 0
    context = {
        "result": result,
        "authors": [{"author": a, "linked": a.profile_id in linked} for a in authors],
        "files": list(result.files.all()),
        "is_public": public,
        "is_research_member": research,
        "is_member": membership is not None,
        "can_take_down": coordinator and takedowns.can_take_down(user, result)[0],
        "usage": selectors.result_usage(result, with_months=membership is not None),
        "json_ld": _json_ld(request, result, authors) if public else "",
        **citation_selectors.result_cite_context(result),
    }
    if research and result.status == Result.Status.DRAFT:
        context["publish_form"] = publish_form or PublishForm(max_months=max_months)
        context["publish_problems"] = services.publish_problems(result)
    return render(request, "projects/results/result_detail.html", context, status=status)


def result_detail(request, slug: str):
    result, notice = _result_or_notice(request, slug, selectors.result_page_queryset(request.user))
    if notice is not None:
        return notice
    if selectors.is_public(result) and request.method == "GET":
        usage.record_view(result)
    return _render_detail(request, result)


def _authors_formset(request, result: Result, data=None):
    """The author rows of an existing result, with the keys ``request.user`` may read."""
    return AuthorFormSet(
        data, initial=authors_initial(result, request.user), prefix="authors", viewer=request.user, result=result
    )


def _tell_invited(request, authors: list[dict]) -> None:
    """The same words whether or not an invited address has an account."""
    invited = [a["email"] for a in authors if a.get("email")]
    if invited:
        messages.info(
            request,
            _("We will email %(emails)s to confirm the authorship; each author chooses what of their profile to show.")
            % {"emails": ", ".join(invited)},
        )


def _form_context(result, form, formset, *, partnership, file_form=None) -> dict:
    return {
        "result": result,
        "partnership": partnership,
        "form": form,
        "formset": formset,
        "file_form": file_form or ResultFileForm(),
        "files": list(result.files.all()) if result else [],
        "max_files": services.MAX_FILES,
        "can_delete": result is not None and result.status == Result.Status.DRAFT,
        "can_remove_files": result is not None and result.status == Result.Status.DRAFT,
    }


@login_required
@require_http_methods(["GET", "POST"])
def result_create(request, slug: str):
    partnership = get_object_or_404(Partnership.objects.select_related("city"), slug=slug)
    allowed, reason = services.can_create_result(request.user, partnership)
    if not allowed:
        return _refused(request, reason)
    form = ResultForm(request.POST or None)
    formset = AuthorFormSet(request.POST or None, prefix="authors", viewer=request.user)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        authors = authors_from(formset)
        try:
            result = services.result_create(
                partnership=partnership, by=request.user, data=form.cleaned_data, authors=authors
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            return _refused(request, str(error))
        else:
            messages.success(request, _("Draft saved. Add PDF files if you have them, then publish from its page."))
            _tell_invited(request, authors)
            return redirect("result_edit", slug=result.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "projects/results/result_form.html",
        _form_context(None, form, formset, partnership=partnership),
        status=status,
    )


def _editable(request, slug: str):
    """(result, None) when the user may edit; (None, response) otherwise (404, notice or 403 with the reason)."""
    result, notice = _result_or_notice(request, slug)
    if notice is not None:
        return None, notice
    allowed, reason = services.can_edit_result(request.user, result)
    if not allowed:
        return None, _refused(request, reason)
    return result, None


@login_required
@require_http_methods(["GET", "POST"])
def result_edit(request, slug: str):
    result, refusal = _editable(request, slug)
    if refusal is not None:
        return refusal
    if request.method == "GET":
        form = ResultEditForm(instance=result, versioned=result)
        formset = _authors_formset(request, result)
        return render(
            request,
            "projects/results/result_form.html",
            _form_context(result, form, formset, partnership=result.partnership),
        )
    form = ResultEditForm(request.POST, instance=Result.objects.get(pk=result.pk), versioned=result)
    formset = _authors_formset(request, result, data=request.POST)
    status = 400
    # "The saved one" for the authors keeps the saved list: the typed rows then need not be valid.
    if form.is_valid() and (formset.is_valid() or form.takes_saved_authors()):
        typed = authors_from(formset) if formset.is_valid() else []
        authors = form.authors_to_save(typed)
        before = result.version_number
        try:
            services.result_update(
                result=result,
                by=request.user,
                data=form.cleaned_data,
                authors=authors,
                edit_version=form.cleaned_data["edit_version"],
            )
        except StaleEdit as stale:
            form.show_conflict(stale.current, authors=typed if formset.is_valid() else None, viewer=request.user)
            status = 409
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            return _refused(request, str(error))
        else:
            _tell_invited(request, authors)
            if result.status == Result.Status.PUBLISHED and result.version_number == before:
                messages.info(request, _("Nothing readers see has changed, so no new version was published."))
                return redirect(result.get_absolute_url())
            if result.status == Result.Status.PUBLISHED:
                messages.success(
                    request,
                    _("Published as version %(number)s. The earlier versions stay readable at their own addresses.")
                    % {"number": result.version_number},
                )
                return redirect(result.get_absolute_url())
            messages.success(request, _("Changes saved."))
            return redirect("result_edit", slug=result.slug)
    return render(
        request,
        "projects/results/result_form.html",
        _form_context(result, form, formset, partnership=result.partnership),
        status=status,
    )


@login_required
@require_POST
def result_publish(request, slug: str):
    result, notice = _result_or_notice(request, slug, selectors.result_page_queryset(request.user))
    if notice is not None:
        return notice
    allowed, reason = services.can_publish_result(request.user, result)
    if not allowed:
        return _refused(request, reason)
    form = PublishForm(request.POST, max_months=services.embargo_max_months())
    if form.is_valid():
        try:
            services.result_publish(result=result, by=request.user, embargo_until=form.cleaned_data["embargo_until"])
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            return _refused(request, str(error))
        else:
            if result.embargo_until:
                messages.success(
                    request,
                    _("Published with an embargo: the result becomes public on %(date)s by itself.")
                    % {"date": date_format(result.embargo_until, "j F Y")},
                )
            else:
                messages.success(request, _("Published: the result is public now."))
            return redirect(result.get_absolute_url())
    return _render_detail(request, result, publish_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def result_delete(request, slug: str):
    result, refusal = _editable(request, slug)
    if refusal is not None:
        return refusal
    allowed, reason = services.can_delete_result(request.user, result)
    if not allowed:
        return _refused(request, reason)
    if request.method == "POST":
        partnership = result.partnership
        services.result_delete(result=result, by=request.user)
        messages.success(request, _("The draft “%(title)s” was deleted.") % {"title": result.title})
        return redirect(partnership.get_absolute_url() if partnership.is_public else "dashboard")
    return render(request, "projects/results/result_delete.html", {"result": result})


@login_required
@require_POST
def result_file_add(request, slug: str):
    result, refusal = _editable(request, slug)
    if refusal is not None:
        return refusal
    file_form = ResultFileForm(request.POST, request.FILES)
    if file_form.is_valid():
        try:
            stored = services.result_file_add(
                result=result,
                by=request.user,
                upload=file_form.cleaned_data["file"],
                title=file_form.cleaned_data["title"],
            )
        except ValidationError as error:
            apply_validation_error(file_form, error)
        except PermissionDenied as error:
            return _refused(request, str(error))
        else:
            messages.success(request, _("“%(name)s” is attached.") % {"name": stored.original_name})
            return redirect("result_edit", slug=result.slug)
    form = ResultEditForm(instance=result, versioned=result)
    formset = _authors_formset(request, result)
    return render(
        request,
        "projects/results/result_form.html",
        _form_context(result, form, formset, partnership=result.partnership, file_form=file_form),
        status=400,
    )


@login_required
@require_POST
def result_file_remove(request, slug: str, file_id: int):
    result, refusal = _editable(request, slug)
    if refusal is not None:
        return refusal
    stored = get_object_or_404(ResultFile, pk=file_id, result=result)
    try:
        services.result_file_remove(file=stored, by=request.user)
    except PermissionDenied as error:
        return _refused(request, str(error))
    messages.success(request, _("“%(name)s” was removed.") % {"name": stored.original_name})
    return redirect("result_edit", slug=result.slug)


def result_file(request, slug: str, file_id: int):
    """A result's PDF, with the result's visibility: public, or the research team's for drafts and embargoes."""
    result, notice = _result_or_notice(request, slug)
    if notice is not None:
        return notice
    stored = get_object_or_404(ResultFile, pk=file_id, result=result)
    if selectors.is_public(result):
        usage.record_download(result)
    return private_file_response(
        stored.file, filename=stored.original_name, content_type="application/pdf", as_attachment=False
    )


@login_required
@require_http_methods(["GET", "POST"])
def result_take_down(request, slug: str):
    """A coordinator's takedown with a public reason; everyone else is refused."""
    result, notice = _result_or_notice(request, slug)
    if notice is not None:
        return notice
    allowed, reason = takedowns.can_take_down(request.user, result)
    if not allowed:
        return _refused(request, reason)
    form = TakedownForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            takedowns.take_down(obj=result, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            return _refused(request, str(error))
        else:
            messages.success(request, _("The result was taken down; the decision is listed on the transparency page."))
            return redirect(result.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/results/result_take_down.html", {"result": result, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def result_authorship(request, token):
    """An invited author confirms the authorship (linking their profile) or declines; only with the invited address."""
    author = get_object_or_404(ResultAuthor.objects.select_related("result__partnership"), token=token)
    problem = services.authorship_problem(author, request.user)
    profile = ResearcherProfile.objects.filter(user=request.user).select_related("affiliation").first()
    affiliation = profile.affiliation.name if profile is not None and profile.affiliation_id else ""
    form = AuthorshipForm(request.POST or None, affiliation=affiliation)
    if request.method == "POST" and not problem and form.is_valid():
        accept = request.POST.get("answer") == "accept"
        try:
            services.authorship_answer(
                author=author,
                user=request.user,
                accept=accept,
                show_affiliation=bool(form.cleaned_data.get("show_affiliation")),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as error:
            problem = str(error)
        else:
            if accept:
                messages.success(
                    request,
                    _("Your profile is linked to “%(title)s”.") % {"title": author.result.title},
                )
            else:
                messages.success(request, _("You declined; the team sees that you did not confirm."))
            return redirect("dashboard")
    return render(
        request,
        "projects/results/authorship.html",
        {"author": author, "result": author.result, "problem": problem, "form": form, "profile": profile},
        status=403 if problem and author.answered_at is None else (400 if form.errors else 200),
    )
