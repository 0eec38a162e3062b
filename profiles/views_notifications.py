"""/dashboard/notifications/: the user's notification centre, marking read and the email preference."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from profiles import notify
from profiles.models import User

PER_PAGE = 30


class EmailPreferenceForm(forms.Form):
    notification_email = forms.ChoiceField(
        label=gettext_lazy("Email me about notifications"),
        choices=User._meta.get_field("notification_email").choices,
        widget=forms.RadioSelect,
    )


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request):
    user = request.user
    form = EmailPreferenceForm(
        request.POST or None, initial={"notification_email": user.notification_email}, prefix="email"
    )
    if request.method == "POST":
        if form.is_valid():
            notify.set_email_preference(user=user, preference=form.cleaned_data["notification_email"])
            messages.success(request, _("Your email preference is saved."))
            return redirect("notifications")
    page = Paginator(notify.notifications_of(user), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "profiles/notifications.html",
        {"page": page, "form": form, "unread": notify.unread_count(user)},
        status=400 if form.errors else 200,
    )


def _pk(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


@login_required
@require_POST
def notification_read(request):
    """Mark one notification read (then follow it, when asked) or all of them."""
    if request.POST.get("all"):
        notify.mark_all_read(user=request.user)
        messages.success(request, _("All notifications are marked read."))
        return redirect("notifications")
    pk = _pk(request.POST.get("notification", ""))
    notification = notify.notifications_of(request.user).filter(pk=pk).first() if pk else None
    if notification is None:
        messages.error(request, _("This notification is not available."))
        return redirect("notifications")
    notify.mark_read(user=request.user, notification_id=notification.pk)
    target = notification.url
    if request.POST.get("open") and target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("notifications")
