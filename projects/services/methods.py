"""Proposals to the methods library: a partnership's research members propose a method or a tool.

A proposal never changes what the public sees: a new method is a draft page, a tool is a new
revision of the method page; both go to the "Methods library moderation" workflow, whose task
network coordinators approve in the Wagtail admin (approval publishes).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wagtail.documents import get_document_model

from hub.mail import send_templated
from profiles.models import User
from projects.models import MethodPage, MethodsIndexPage, MethodTool, Partnership, PartnershipMember
from projects.setup import method_tools_collection


def can_propose_method(user, partnership: Partnership) -> tuple[bool, str]:
    """Research members of the partnership (with an account) may propose methods and tools."""
    if not getattr(user, "is_authenticated", False):
        return False, _("Sign in to propose a method.")
    if not PartnershipMember.objects.filter(
        partnership=partnership, user=user, side=PartnershipMember.Side.RESEARCH
    ).exists():
        return False, _("Only the research team of this partnership can propose methods and tools.")
    return True, ""


def can_propose_tool(method_page: MethodPage) -> tuple[bool, str]:
    """A method already waiting for review takes no second proposal until coordinators decide."""
    if method_page.workflow_in_progress:
        return False, _(
            "“%(title)s” already has changes waiting for review; propose your tool once they are decided."
        ) % {"title": method_page.title}
    return True, ""


def paragraphs_to_rich_text(text: str) -> str:
    """Plain text typed in a form as rich text: blank lines separate paragraphs, newlines become breaks."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(f"<p>{'<br/>'.join(escape(line) for line in block.split(chr(10)))}</p>" for block in blocks if block)


def _unique_child_slug(parent, title: str) -> str:
    base = slugify(title)[:70] or "method"
    taken = set(parent.get_children().values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _submit(page: MethodPage, by: User) -> None:
    workflow = page.get_workflow()
    if workflow is None:
        raise ValidationError(_("The methods library is not accepting proposals right now. Please try again later."))
    workflow.start(page, by)


def _check(by: User, partnership: Partnership) -> None:
    allowed, reason = can_propose_method(by, partnership)
    if not allowed:
        raise PermissionDenied(reason)


def _notify_proposer(*, page: MethodPage, by: User, partnership: Partnership, kind: str, tool_title: str = "") -> None:
    send_templated(
        "projects/methods/email/proposal_received",
        {
            "page": page,
            "kind": kind,
            "tool_title": tool_title,
            "partnership": partnership,
            "user": by,
            "partnership_url": reverse("partnership_detail", args=[partnership.slug]),
        },
        to=[by.email],
    )


@transaction.atomic
def method_propose(
    *,
    partnership: Partnership,
    by: User,
    title: str,
    summary: str,
    what_it_is: str,
    when_to_use: str = "",
    ethics: str = "",
) -> MethodPage:
    """A new method as a draft page credited to the partnership, submitted to coordinators for review."""
    _check(by, partnership)
    index = MethodsIndexPage.objects.first()
    if index is None:
        raise ValidationError(_("The methods library is not set up yet. Please try again later."))
    title = title.strip()
    if MethodPage.objects.filter(title__iexact=title).exists():
        raise ValidationError(
            {
                "title": _("A method called “%(title)s” exists already. Propose a tool for it instead.")
                % {"title": title}
            }
        )
    page = MethodPage(
        title=title,
        slug=_unique_child_slug(index, title),
        summary=summary.strip(),
        what_it_is=paragraphs_to_rich_text(what_it_is),
        when_to_use=paragraphs_to_rich_text(when_to_use),
        ethics=paragraphs_to_rich_text(ethics),
        proposed_by=partnership,
        owner=by,
        live=False,
    )
    index.add_child(instance=page)
    page.save_revision(user=by, log_action=True)
    _submit(page, by)
    transaction.on_commit(lambda: _notify_proposer(page=page, by=by, partnership=partnership, kind="method"))
    return page


@transaction.atomic
def tool_propose(
    *,
    partnership: Partnership,
    by: User,
    method_page: MethodPage,
    title: str,
    description: str = "",
    url: str = "",
    upload=None,
) -> MethodPage:
    """A tool for a method: a new revision of its page with the tool added, submitted for review.

    The live page is unchanged until a coordinator approves; an uploaded file is stored as a
    Wagtail document in the "Method tools" collection.
    """
    _check(by, partnership)
    allowed, reason = can_propose_tool(method_page)
    if not allowed:
        raise ValidationError(reason)
    if not url and upload is None:
        raise ValidationError(_("Give a link to the tool or upload its file."))
    document = None
    if upload is not None:
        document = get_document_model()(
            title=title.strip(), file=upload, collection=method_tools_collection(), uploaded_by_user=by
        )
        document.save()
    draft = method_page.get_latest_revision_as_object()
    draft.tools.add(
        MethodTool(
            kind=MethodTool.Kind.TOOL,
            title=title.strip(),
            description=description.strip(),
            document=document,
            url=url,
            sort_order=len(draft.tools.all()),
        )
    )
    draft.save_revision(user=by, log_action=True)
    _submit(draft, by)
    transaction.on_commit(
        lambda: _notify_proposer(
            page=method_page, by=by, partnership=partnership, kind="tool", tool_title=title.strip()
        )
    )
    return method_page
