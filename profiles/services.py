"""State changes for accounts, organisations and memberships; each checks its own permission."""

import io
import uuid

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wagtail.images import get_image_model
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from PIL import Image as PILImage
from PIL import ImageOps

from profiles.models import (
    FORMER_MEMBER,
    CitiesIndexPage,
    CityPage,
    Membership,
    Organisation,
    ProfileLanguage,
    Publication,
    ResearcherProfile,
    User,
)
from profiles.validators import normalise_doi, normalise_orcid

# Editors draft and submit for moderation; approvers (the organisation's admins) also publish.
CITY_PAGE_PERMISSIONS = ("add_page", "change_page", "lock_page", "unlock_page")
CITY_APPROVER_PERMISSIONS = ("publish_page",)
CITY_COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)
COORDINATORS_GROUP = "Network coordinators"
EDITOR_GROUP_PREFIX = "City editors: "
APPROVER_GROUP_PREFIX = "City approvers: "


def is_coordinator(user) -> bool:
    """Network coordinators (a staff group) and superusers."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("profiles.verify_organisation"))
    )


def can_manage_memberships(user, organisation: Organisation) -> tuple[bool, str]:
    """Approved admins of the organisation, and coordinators, decide membership requests."""
    if not user.is_authenticated:
        return False, _("Sign in to manage memberships.")
    if is_coordinator(user):
        return True, ""
    if Membership.objects.filter(
        user=user, organisation=organisation, role=Membership.Role.ADMIN, status=Membership.Status.APPROVED
    ).exists():
        return True, ""
    return False, _("Only administrators of %(org)s can manage its members.") % {"org": organisation.name}


def unique_slug(model, value: str, *, field: str = "slug", exclude_pk=None) -> str:
    base = slugify(value)[:180] or "item"
    slug, n = base, 2
    qs = model.objects.all()
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    while qs.filter(**{field: slug}).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def organisation_name_taken(name: str, *, exclude_pk=None) -> bool:
    qs = Organisation.objects.filter(name__iexact=name.strip())
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


@transaction.atomic
def organisation_register(*, by: User, name: str, kind: str, country, **fields) -> Organisation:
    """Register a new organisation; its creator becomes its first approved administrator."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Please give the organisation's name.")})
    if organisation_name_taken(name):
        raise ValidationError({"name": _("An organisation with this name is already registered.")})
    organisation = Organisation(name=name, kind=kind, country=country, created_by=by, **fields)
    organisation.slug = unique_slug(Organisation, name)
    organisation.full_clean(validate_constraints=False)
    organisation.save()
    Membership.objects.create(
        user=by,
        organisation=organisation,
        role=Membership.Role.ADMIN,
        status=Membership.Status.APPROVED,
        decided_at=timezone.now(),
    )
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, by: User) -> Organisation:
    """Save changed public details of an organisation; its admins and coordinators may."""
    allowed, reason = can_manage_memberships(by, organisation)
    if not allowed:
        raise PermissionDenied(reason)
    if organisation_name_taken(organisation.name, exclude_pk=organisation.pk):
        raise ValidationError({"name": _("An organisation with this name is already registered.")})
    organisation.full_clean(validate_constraints=False)
    organisation.save()
    return organisation


@transaction.atomic
def membership_request(*, user: User, organisation: Organisation, message: str = "") -> Membership:
    """Ask to join an organisation; its admins decide."""
    existing = Membership.objects.filter(user=user, organisation=organisation).first()
    if existing and existing.status == Membership.Status.APPROVED:
        raise ValidationError(_("You are already a member of %(org)s.") % {"org": organisation.name})
    if existing and existing.status == Membership.Status.REQUESTED:
        raise ValidationError(_("Your request to join %(org)s is waiting for a decision.") % {"org": organisation.name})
    if existing:
        existing.status = Membership.Status.REQUESTED
        existing.message = message
        existing.decided_by = None
        existing.decided_at = None
        existing.save()
        membership = existing
    else:
        membership = Membership.objects.create(user=user, organisation=organisation, message=message)
    _notify_admins_of_request(membership)
    return membership


def _notify_admins_of_request(membership: Membership) -> None:
    from profiles.notifications import email_membership_requested

    transaction.on_commit(lambda: email_membership_requested(membership_id=membership.pk))


@transaction.atomic
def membership_decide(*, membership: Membership, by: User, approve: bool, role: str | None = None) -> Membership:
    """Approve or reject a membership request; approval grants city editing where it applies."""
    allowed, reason = can_manage_memberships(by, membership.organisation)
    if not allowed:
        raise PermissionDenied(reason)
    if membership.user_id == by.pk and not is_coordinator(by):
        raise PermissionDenied(_("You cannot decide on your own membership."))
    membership.status = Membership.Status.APPROVED if approve else Membership.Status.REJECTED
    if role:
        membership.role = role
    membership.decided_by = by
    membership.decided_at = timezone.now()
    membership.save()
    sync_editor_groups(user=membership.user)
    from profiles.notifications import email_membership_decided

    transaction.on_commit(lambda: email_membership_decided(membership_id=membership.pk))
    return membership


@transaction.atomic
def organisation_verify(*, organisation: Organisation, by: User) -> Organisation:
    """Mark an organisation verified; a government gets its CityPage and an editor group."""
    if not is_coordinator(by):
        raise PermissionDenied(_("Only network coordinators can verify organisations."))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not organisation.verified:
        organisation.verified = True
        organisation.verified_at = timezone.now()
        organisation.verified_by = by
        organisation.save(update_fields=["verified", "verified_at", "verified_by"])
    if organisation.is_government:
        city_page = city_page_ensure(organisation=organisation)
        city_editor_group_ensure(organisation=organisation, city_page=city_page)
        city_approval_workflow_ensure(organisation=organisation, city_page=city_page)
        for membership in organisation.memberships.filter(status=Membership.Status.APPROVED).select_related("user"):
            sync_editor_groups(user=membership.user)
    return organisation


def city_page_ensure(*, organisation: Organisation) -> CityPage:
    """The city's public page at /cities/<slug>/, created once and published."""
    existing = CityPage.objects.filter(organisation=organisation).first()
    if existing:
        return existing
    index = CitiesIndexPage.objects.first()
    if index is None:
        raise ValidationError(_("The cities index page is missing; run migrations first."))
    slug = organisation.slug
    if Page.objects.child_of(index).filter(slug=slug).exists():
        slug = f"{slug}-{organisation.pk}"
    page = CityPage(
        title=organisation.name,
        slug=slug,
        organisation=organisation,
        intro=organisation.description[:500],
    )
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


def city_editor_group_ensure(*, organisation: Organisation, city_page: CityPage) -> Group:
    """A group whose Wagtail permissions cover the city's subtree and collection, nothing else."""
    group = organisation.editor_group
    if group is None:
        group, _created = Group.objects.get_or_create(
            name=f"{EDITOR_GROUP_PREFIX}{organisation.name} ({organisation.pk})"
        )
        organisation.editor_group = group
        organisation.save(update_fields=["editor_group"])
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for codename in CITY_PAGE_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
        GroupPagePermission.objects.get_or_create(group=group, page=city_page, permission=permission)
    collection = _city_collection(organisation)
    for app_label, codename in CITY_COLLECTION_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
        GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=permission)
    return group


def city_approval_workflow_ensure(*, organisation: Organisation, city_page: CityPage):
    """Pages under the city are moderated: editors submit, the city's approvers or coordinators publish.

    The approvers group holds publish permission on the subtree; a Wagtail workflow with one
    group-approval task (approvers + coordinators) is assigned to the CityPage.
    """
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

    group = organisation.approver_group
    if group is None:
        group, _created = Group.objects.get_or_create(
            name=f"{APPROVER_GROUP_PREFIX}{organisation.name} ({organisation.pk})"
        )
        organisation.approver_group = group
        organisation.save(update_fields=["approver_group"])
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for codename in CITY_APPROVER_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
        GroupPagePermission.objects.get_or_create(group=group, page=city_page, permission=permission)
    label = f"{organisation.name} ({organisation.pk})"
    workflow_page = WorkflowPage.objects.filter(page=city_page).select_related("workflow").first()
    if workflow_page is None:
        workflow = Workflow.objects.create(name=f"City moderation: {label}"[:255])
        WorkflowPage.objects.create(page=city_page, workflow=workflow)
    else:
        workflow = workflow_page.workflow
    if not WorkflowTask.objects.filter(workflow=workflow).exists():
        # Repairs workflows created before the task was saved.
        task = GroupApprovalTask.objects.create(name=f"Approval by {label}"[:255])
        task.groups.set([group, *Group.objects.filter(name=COORDINATORS_GROUP)])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return group


def _city_collection(organisation: Organisation) -> Collection:
    name = f"{organisation.name} ({organisation.pk})"
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=name).first()
    return existing or root.add_child(name=name)


def sync_editor_groups(*, user: User) -> None:
    """Give the user exactly the editor groups of the verified cities they are an approved member of,
    and the approver groups of those where they are an administrator."""
    approved = {
        "memberships__user": user,
        "memberships__status": Membership.Status.APPROVED,
        "verified": True,
    }
    editor_orgs = Organisation.objects.filter(**approved).values("editor_group")
    approver_orgs = Organisation.objects.filter(**approved, memberships__role=Membership.Role.ADMIN).values(
        "approver_group"
    )
    wanted = set(Group.objects.filter(Q(pk__in=editor_orgs) | Q(pk__in=approver_orgs)).values_list("pk", flat=True))
    current = set(
        user.groups.filter(
            Q(name__startswith=EDITOR_GROUP_PREFIX) | Q(name__startswith=APPROVER_GROUP_PREFIX)
        ).values_list("pk", flat=True)
    )
    if wanted - current:
        user.groups.add(*(wanted - current))
    if current - wanted:
        user.groups.remove(*(current - wanted))


@transaction.atomic
def account_update(*, user: User, first_name: str, last_name: str, account_type: str) -> User:
    """Change the name and what the user is (researcher or organisation member)."""
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.account_type = account_type
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name", "account_type"])
    if user.is_researcher:
        ResearcherProfile.objects.get_or_create(user=user)
    return user


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Remove the user's personal data and access; what they made stays, credited to “former member”.

    The row stays as an anonymous tombstone so that page revisions, audit logs and
    organisations keep an author to show, and that author reads “Former member”.
    """
    from wagtail.users.models import UserProfile

    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    Membership.objects.filter(user=user).delete()
    profile = ResearcherProfile.objects.filter(user=user).select_related("photo").first()
    if profile:
        photo = profile.photo
        profile.delete()  # its languages and publications go with it, and its search entry
        if photo:
            photo.delete()  # Wagtail removes the file and its renditions from disk once committed
    for wagtail_profile in UserProfile.objects.filter(user=user):
        if wagtail_profile.avatar:
            avatar = wagtail_profile.avatar
            transaction.on_commit(lambda avatar=avatar: avatar.delete(save=False))
        wagtail_profile.delete()
    _sessions_end(user=user)
    user.groups.clear()
    user.user_permissions.clear()
    user.email = f"former-member-{user.pk}@deleted.invalid"
    user.first_name, user.last_name = str(FORMER_MEMBER).capitalize(), ""
    user.account_type = User.AccountType.RESEARCHER
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.set_unusable_password()  # also ends every other session of this user
    user.save()


def _sessions_end(*, user: User) -> None:
    """Delete every stored session of ``user`` (a changed password only makes them unusable)."""
    from django.conf import settings
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return  # other engines cannot be searched by user; the unusable password still ends them
    store = Session.get_session_store_class()
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            store(session.session_key).delete()


PHOTO_COLLECTION = "Researcher photos"
PHOTO_MAX_SIDE = 1600


def photo_collection() -> Collection:
    """The collection of profile photos; no city editor group has permissions on it."""
    root = Collection.get_first_root_node()
    return root.get_children().filter(name=PHOTO_COLLECTION).first() or root.add_child(name=PHOTO_COLLECTION)


def _photo_file(upload) -> tuple[ContentFile, str, tuple[int, int]]:
    """Re-encode an already validated upload: drops EXIF (location!) and anything hidden after the image."""
    upload.seek(0)
    with PILImage.open(upload) as original:
        image_format = original.format
        original.draft("RGB", (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))  # JPEG: decode at a reduced scale
        image = ImageOps.exif_transpose(original)
        image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
        if image_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, format=image_format)
        size = image.size
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[image_format]
    return ContentFile(buffer.getvalue()), extension, size


def _photo_save(*, profile: ResearcherProfile, upload):
    image_model = get_image_model()
    content, extension, (width, height) = _photo_file(upload)
    image = image_model(title=f"Photo of {profile.user.display_name}"[:255], collection=photo_collection())
    image.file.save(f"researcher-{profile.pk}-{uuid.uuid4().hex[:8]}.{extension}", content, save=False)
    image.width, image.height = width, height
    image._set_image_file_metadata()
    image.save()
    return image


@transaction.atomic
def profile_update(
    *,
    profile: ResearcherProfile,
    by: User,
    fields: dict,
    relations: dict,
    languages: list[tuple],
    publications: list[dict],
    photo=None,
    remove_photo: bool = False,
) -> ResearcherProfile:
    """Save a researcher's whole profile at once: fields, vocabularies, languages, publications, photo.

    ``languages`` is a list of (Language, level); ``publications`` of dicts with title, year, doi
    and url; both replace what was there. A new ``photo`` (an upload that passed
    ``validate_photo``) replaces the old one, whose image is deleted.
    """
    if profile.user_id != by.pk:
        raise PermissionDenied(_("You can only edit your own profile."))
    old_photo = profile.photo if (photo or remove_photo) else None
    for name, value in fields.items():
        setattr(profile, name, value)
    if remove_photo and not photo:
        profile.photo = None
    if fields.get("orcid"):
        profile.orcid = normalise_orcid(fields["orcid"])
    profile.full_clean(exclude=["user", "photo"])
    profile.save()
    if photo:
        profile.photo = _photo_save(profile=profile, upload=photo)
        profile.save(update_fields=["photo", "updated_at"])
    for name, values in relations.items():
        getattr(profile, name).set(values)
    profile.profile_languages.all().delete()
    ProfileLanguage.objects.bulk_create(
        ProfileLanguage(profile=profile, language=language, level=level) for language, level in languages
    )
    profile.publications.all().delete()
    for order, item in enumerate(publications):
        publication = Publication(profile=profile, sort_order=order, **item)
        if publication.doi:
            publication.doi = normalise_doi(publication.doi)
        publication.full_clean(exclude=["profile"])
        publication.save()
    if old_photo is not None and old_photo.pk != profile.photo_id:
        old_photo.delete()
    return profile
