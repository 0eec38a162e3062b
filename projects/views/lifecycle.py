"""A partnership's life after the award: the management page (status, members, reports, deliverables,
agreements) and the report page. Current members and the city's officials open them; everyone else gets a 404.
Each form posts to its own address; a refused form comes back with what was typed and a 400."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hub.forms import apply_validation_error
from hub.private_files import private_file_response
from hub.versioning import StaleEdit
from projects.forms.lifecycle import (
    AgreementForm,
    DeliverableEditForm,
    DeliverableForm,
    MemberAddForm,
    ReportForm,
    ReportScheduleForm,
    RescheduleForm,
    ReviewForm,
    RoleForm,
    StatusForm,
)
from projects.models import Partnership
from projects.selectors import lifecycle as selectors
from projects.services import lifecycle as services
from projects.services.partnerships import MemberInput


def _abilities(user, partnership) -> dict:
    return {
        "can_set_status": services.can_set_status(user, partnership)[0],
        "can_manage_members": services.can_manage_members(user, partnership)[0],
        "can_schedule": services.can_schedule_reports(user, partnership)[0],
        "can_write": services.can_write_reports(user, partnership)[0],
        "can_deliverables": services.can_edit_deliverables(user, partnership)[0],
        "can_agreements": services.can_manage_agreements(user, partnership)[0],
    }


def _deliverable_form(partnership, *args, **kwargs):
    results, datasets = services.partnership_choices(partnership)
    return DeliverableForm(*args, results=results, datasets=datasets, **kwargs)


def _render_life(request, partnership, *, status: int = 200, **forms):
    today = timezone.localdate()
    me = services.current_member(request.user, partnership)
    reports = selectors.life_reports(partnership)
    for report in reports:
        report.overdue = report.is_overdue(today)
    context = {
        "partnership": partnership,
        "me": me,
        "members": selectors.life_members(partnership),
        "changes": selectors.life_changes(partnership),
        "reports": reports,
        "deliverables": selectors.life_deliverables(partnership),
        "agreements": selectors.life_agreements(partnership),
        "status_changes": list(partnership.status_changes.select_related("changed_by")),
        "next_statuses": [
            (value, Partnership.Status(value).label) for value in services.TRANSITIONS.get(partnership.status, ())
        ],
        "status_form": forms.get("status_form") or StatusForm(initial={"expected": partnership.status}),
        "member_form": forms.get("member_form") or MemberAddForm(prefix="member"),
        "schedule_form": forms.get("schedule_form") or ReportScheduleForm(prefix="report"),
        "deliverable_form": forms.get("deliverable_form") or _deliverable_form(partnership, prefix="deliverable"),
        "agreement_form": forms.get("agreement_form") or AgreementForm(prefix="agreement"),
        "failed": forms,
        **_abilities(request.user, partnership),
    }
    return render(request, "projects/lifecycle/manage.html", context, status=status)


def _back(partnership, anchor: str):
    return redirect(f"{reverse('life_manage', args=[partnership.slug])}#{anchor}")


def _refused(request, partnership, error, anchor: str):
    messages.error(request, getattr(error, "message", None) or str(error) or _("You cannot do that here."))
    return _back(partnership, anchor)


@login_required
@require_GET
def manage(request, slug: str):
    return _render_life(request, selectors.life_for(request.user, slug))


@login_required
@require_POST
def status_change(request, slug: str):
    partnership = selectors.life_for(request.user, slug)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            change = services.partnership_set_status(partnership=partnership, by=request.user, **form.cleaned_data)
        except (PermissionDenied, services.Conflict) as error:
            return _refused(request, partnership, error, "status")
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("The partnership is now %(status)s.") % {"status": change.get_to_status_display()}
            )
            return _back(partnership, "status")
    return _render_life(request, partnership, status=400, status_form=form)


@login_required
@require_POST
def member_add(request, slug: str):
    partnership = selectors.life_for(request.user, slug)
    form = MemberAddForm(request.POST, prefix="member")
    if form.is_valid():
        data = form.cleaned_data
        item = MemberInput(
            side=data["side"],
            email=data.get("email") or "",
            name=data.get("name") or "",
            role=data.get("role") or "",
            organisation=data.get("organisation"),
            affiliation=data.get("affiliation") or "",
            country=data.get("country"),
        )
        try:
            member = services.member_add(partnership=partnership, by=request.user, item=item)
        except PermissionDenied as error:
            return _refused(request, partnership, error, "members")
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("%(name)s is a member now.") % {"name": member.name})
            if member.invited_email:
                messages.info(request, _("We will email %(email)s an invitation.") % {"email": member.invited_email})
            return _back(partnership, "members")
    return _render_life(request, partnership, status=400, member_form=form)


def _member(partnership, pk: int):
    return get_object_or_404(partnership.members.select_related("partnership"), pk=pk)


@login_required
@require_POST
def member_role(request, slug: str, pk: int):
    partnership = selectors.life_for(request.user, slug)
    member = _member(partnership, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type the new role (at most 100 characters)."))
        return _back(partnership, "members")
    try:
        services.member_set_role(
            member=member, by=request.user, role=form.cleaned_data["role"], expected=form.cleaned_data["expected"]
        )
    except (PermissionDenied, services.Conflict) as error:
        return _refused(request, partnership, error, "members")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(partnership, "members")
    messages.success(request, _("%(name)s's role is saved.") % {"name": member.name})
    return _back(partnership, "members")


@login_required
@require_POST
def member_lead(request, slug: str, pk: int):
    partnership = selectors.life_for(request.user, slug)
    member = _member(partnership, pk)
    try:
        services.member_make_lead(member=member, by=request.user)
    except (PermissionDenied, services.Conflict) as error:
        return _refused(request, partnership, error, "members")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(partnership, "members")
    messages.success(request, _("%(name)s leads the research team now.") % {"name": member.name})
    return _back(partnership, "members")


@login_required
@require_POST
def member_leave(request, slug: str, pk: int):
    partnership = selectors.life_for(request.user, slug)
    member = _member(partnership, pk)
    own = member.user_id == request.user.pk
    try:
        services.member_leave(member=member, by=request.user)
    except (PermissionDenied, services.Conflict) as error:
        return _refused(request, partnership, error, "members")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(partnership, "members")
    if own:
        messages.success(request, _("You left “%(title)s”.") % {"title": partnership.title})
        return redirect("dashboard")
    messages.success(request, _("%(name)s is no longer a member.") % {"name": member.name})
    return _back(partnership, "members")


@login_required
@require_POST
def report_add(request, slug: str):
    partnership = selectors.life_for(request.user, slug)
    form = ReportScheduleForm(request.POST, prefix="report")
    if form.is_valid():
        try:
            report = services.report_schedule(partnership=partnership, by=request.user, **form.cleaned_data)
        except PermissionDenied as error:
            return _refused(request, partnership, error, "reports")
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("“%(title)s” is scheduled.") % {"title": report.title})
            return _back(partnership, "reports")
    return _render_life(request, partnership, status=400, schedule_form=form)


@login_required
@require_POST
def report_date(request, slug: str, pk: int):
    partnership = selectors.life_for(request.user, slug)
    report = selectors.life_report(partnership, pk)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid due date (year, month and day)."))
        return _back(partnership, "reports")
    try:
        services.report_reschedule(report=report, by=request.user, due_date=form.cleaned_data["due_date"])
    except (PermissionDenied, services.Conflict) as error:
        return _refused(request, partnership, error, "reports")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(partnership, "reports")
    messages.success(request, _("“%(title)s” has a new due date.") % {"title": report.title})
    return _back(partnership, "reports")


def _render_report(request, partnership, report, *, form=None, review_form=None, status: int = 200):
    can_write = services.can_write_reports(request.user, partnership)[0]
    if form is None and can_write and report.status in report.OPEN:
        form = ReportForm(initial={name: getattr(report, name) for name in services.REPORT_FIELDS}, versioned=report)
    return render(
        request,
        "projects/lifecycle/report.html",
        {
            "partnership": partnership,
            "report": report,
            "form": form,
            "review_form": review_form or ReviewForm(),
            "can_write": can_write,
            "can_review": services.can_review_reports(request.user, partnership)[0],
            "overdue": report.is_overdue(timezone.localdate()),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, slug: str, pk: int):
    partnership = selectors.life_for(request.user, slug)
    report = selectors.life_report(partnership, pk)
    if request.method == "GET":
        return _render_report(request, partnership, report)
    form = ReportForm(request.POST, request.FILES, versioned=report)
    submit = "submit" in request.POST
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.report_save(
                report=report,
                by=request.user,
                fields={name: data[name] for name in services.REPORT_FIELDS},
                edit_version=data["edit_version"],
                submit=submit,
                uploads=data["attachments"],
            )
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect("life_report", slug=slug, pk=pk)
        except services.Conflict as error:
            messages.error(request, error.message)
            status = 409
        except StaleEdit as stale:
            form.show_conflict(stale.current)
            status = 409
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if submit:
                messages.success(request, _("The report is submitted to the city."))
            else:
                messages.success(request, _("Your draft is saved."))
            return redirect("life_report", slug=slug, pk=pk)
    return _render_report(request, partnership, report, form=form, status=status)


@login_required
@require_POST
def report_review(request, slug: str, pk: int):
    partnership = selectors.life_for(request.user, slug)
    report = selectors.life_report(partnership, pk)
    form = ReviewForm(request.POST)
    accept = request.POST.get("decision") == "accept"
    if form.is_valid():
        try:
            services.report_review(report=report, by=request.user, accept=accept, comment=form.cleaned_data["comment"])
        except (PermissionDenied, services.Conflict) as error:
            messages.error(request, getattr(error, "message", None) or str(error))
            return redirect("life_report", slug=slug, pk=pk)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if accept:
                messages.success(request, _("The report is accepted."))
            else:
                messages.success(request, _("The report is returned to the team with your comments."))
            return redirect("life_report", slug=slug, pk=pk)
    return _render_report(request, partnership, report, review_form=form, status=400)


@login_required
@require_GET
def report_attachment(request, slug: str, pk: int, attachment: int):
    partnership = selectors.life_for(request.user, slug)
    report = selectors.life_report(partnership, pk)
    item = get_object_or_404(report.attachments, pk=attachment)
    try:
        return private_file_response(
            item.file, filename=item.original_name, content_type=item.content_type, as_attachment=True
        )
    except FileNotFoundError as error:
        raise Http404 from error


@login_required
@require_POST
def deliverable_add(request, slug: str):
    partnership = selectors.life_for(request.user, slug)
    form = _deliverable_form(partnership, request.POST, prefix="deliverable")
    if form.is_valid():
        try:
            deliverable = services.deliverable_add(partnership=partnership, by=request.user, data=form.cleaned_data)
        except PermissionDenied as error:
            return _refused(request, partnership, error, "deliverables")
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Deliverable “%(title)s” added.") % {"title": deliverable.title})
            return _back(partnership, "deliverables")
    return _render_life(request, partnership, status=400, deliverable_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def deliverable_edit(request, slug: str, pk: int):
    partnership = selectors.life_for(request.user, slug)
    deliverable = get_object_or_404(partnership.deliverables, pk=pk)
    if not services.can_edit_deliverables(request.user, partnership)[0]:
        raise Http404
    results, datasets = services.partnership_choices(partnership)
    status = 200
    if request.method == "POST":
        form = DeliverableEditForm(request.POST, results=results, datasets=datasets, versioned=deliverable)
        status = 400
        if form.is_valid():
            try:
                services.deliverable_update(
                    deliverable=deliverable,
                    by=request.user,
                    data=form.cleaned_data,
                    edit_version=form.cleaned_data["edit_version"],
                )
            except StaleEdit as stale:
                form.show_conflict(stale.current)
                deliverable, status = stale.current, 409
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Deliverable “%(title)s” saved.") % {"title": deliverable.title})
                return _back(partnership, "deliverables")
    else:
        form = DeliverableEditForm(
            initial={
                "title": deliverable.title,
                "due_date": deliverable.due_date,
                "status": deliverable.status,
                "description": deliverable.description,
                "results": list(deliverable.results.all()),
                "datasets": list(deliverable.datasets.all()),
                "is_public": deliverable.is_public,
            },
            results=results,
            datasets=datasets,
            versioned=deliverable,
        )
    return render(
        request,
        "projects/lifecycle/deliverable_edit.html",
        {"partnership": partnership, "deliverable": deliverable, "form": form},
        status=status,
    )


@login_required
@require_POST
def agreement_add(request, slug: str):
    partnership = selectors.life_for(request.user, slug)
    form = AgreementForm(request.POST, request.FILES, prefix="agreement")
    if form.is_valid():
        try:
            agreement = services.agreement_add(
                partnership=partnership,
                by=request.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                signed_on=form.cleaned_data["signed_on"],
                upload=form.cleaned_data["file"],
            )
        except PermissionDenied as error:
            return _refused(request, partnership, error, "agreements")
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("“%(title)s” is kept in the workspace.") % {"title": agreement.title})
            return _back(partnership, "agreements")
    return _render_life(request, partnership, status=400, agreement_form=form)


@login_required
@require_GET
def agreement_download(request, slug: str, pk: int):
    partnership = selectors.life_for(request.user, slug)
    agreement = get_object_or_404(partnership.agreements.select_related("document"), pk=pk)
    version = agreement.document.versions.order_by("-number").first()
    if version is None:
        raise Http404
    try:
        return private_file_response(
            version.file, filename=version.original_name, content_type=version.content_type, as_attachment=True
        )
    except FileNotFoundError as error:
        raise Http404 from error
