"""State changes for accounts, organisations and memberships; each checks its own permission."""

import io
import os
import uuid

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)
from wagtail.users.models import UserProfile

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from PIL import Image as PILImage
from PIL import ImageOps

from hub import bulk
from hub.versioning import claim_edit
from profiles import visibility
from profiles.models import (
    FORMER_MEMBER,
    AffiliationPeriod,
    CitiesIndexPage,
    CityPage,
    Membership,
    Organisation,
    ProfileLanguage,
    Publication,
    ResearcherProfile,
    User,
    Visibility,
)
from profiles.notifications import email_membership_decided, email_membership_requested
from profiles.storage import PRIVATE_PHOTO_PREFIX
from profiles.validators import normalise_doi, normalise_orcid

# Editors draft and submit for moderation; approvers (the organisation's admins) also publish.
CITY_PAGE_PERMISSIONS = ("add_page", "change_page", "lock_page", "unlock_page")
CITY_APPROVER_PERMISSIONS = ("publish_page", "unlock_page")
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


def save_with_free_slug(instance, *, next_slug, field: str = "slug", attempts: int = 10) -> None:
    """Save ``instance``; when a concurrent insert took its slug first, retry with ``next_slug()``."""
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                instance.save()
            return
        except IntegrityError:
            # Only a slug that is now taken is ours to fix; any other clash is a real error.
            taken = type(instance)._default_manager.filter(**{field: getattr(instance, field)}).exists()
            if not taken or attempt == attempts - 1:
                raise
            setattr(instance, field, next_slug())


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
    try:
        save_with_free_slug(organisation, next_slug=lambda: unique_slug(Organisation, name))
    except IntegrityError:
        # Registered at the same moment under the same name (any case): the answer of the non-concurrent path.
        if organisation_name_taken(name):
            raise ValidationError({"name": _("An organisation with this name is already registered.")}) from None
        raise
    Membership.objects.create(
        user=by,
        organisation=organisation,
        role=Membership.Role.ADMIN,
        status=Membership.Status.APPROVED,
        decided_at=timezone.now(),
    )
    return organisation


# What the organisation's admins edit on its page (profiles.forms.OrganisationForm); nothing else is saved from it.
ORGANISATION_DETAILS = (
    "name",
    "kind",
    "country",
    "city",
    "website",
    "description",
    "logo",
    "time_zone",
    "population",
    "hr_city_declaration_year",
    "hr_city_declaration_url",
)


@transaction.atomic
def organisation_update(*, organisation: Organisation, by: User, edit_version: int) -> Organisation:
    """Save changed public details of an organisation; its admins and coordinators may.

    ``edit_version`` is the version the editing form was opened on: if someone saved the organisation since,
    ``hub.versioning.StaleEdit`` is raised and nothing is saved, not even an uploaded logo. Only the details
    are written, so a verification (or any other column set meanwhile) is never put back.
    """
    allowed, reason = can_manage_memberships(by, organisation)
    if not allowed:
        raise PermissionDenied(reason)
    if organisation_name_taken(organisation.name, exclude_pk=organisation.pk):
        raise ValidationError({"name": _("An organisation with this name is already registered.")})
    organisation.full_clean(validate_constraints=False)
    claim_edit(organisation, expected=edit_version)
    organisation.save(update_fields=ORGANISATION_DETAILS)
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
        try:
            with transaction.atomic():
                membership = Membership.objects.create(user=user, organisation=organisation, message=message)
        except IntegrityError:
            # A concurrent request of the same person got there first: answer as if it had been earlier.
            if not Membership.objects.filter(user=user, organisation=organisation).exists():
                raise
            raise ValidationError(
                _("Your request to join %(org)s is waiting for a decision.") % {"org": organisation.name}
            ) from None
    _notify_admins_of_request(membership)
    return membership


def _notify_admins_of_request(membership: Membership) -> None:
    transaction.on_commit(lambda: email_membership_requested(membership_id=membership.pk))


@transaction.atomic
def membership_decide(
    *, membership: Membership, by: User, approve: bool, role: str | None = None, expected: str | None = None
) -> Membership:
    """Approve or reject a membership request (or end an approved one); approval grants city editing where it applies.

    ``expected`` is the status the deciding page showed: a decision taken meanwhile by another admin is not
    overwritten, and the same decision twice is refused.
    """
    allowed, reason = can_manage_memberships(by, membership.organisation)
    if not allowed:
        raise PermissionDenied(reason)
    if membership.user_id == by.pk and not is_coordinator(by):
        raise PermissionDenied(_("You cannot decide on your own membership."))
    membership.refresh_from_db(from_queryset=Membership.objects.select_for_update())
    target = Membership.Status.APPROVED if approve else Membership.Status.REJECTED
    if membership.status == target or membership.status != (expected or membership.status):
        raise ValidationError(
            _("The membership of %(name)s was already decided: it is “%(status)s”.")
            % {"name": membership.user.display_name, "status": membership.get_status_display()},
            code="already_decided",
        )
    if approve and membership.status == Membership.Status.REJECTED:
        raise ValidationError(
            _("The request of %(name)s was already rejected; they can ask to join again.")
            % {"name": membership.user.display_name},
            code="already_decided",
        )
    membership.status = Membership.Status.APPROVED if approve else Membership.Status.REJECTED
    if role:
        membership.role = role
    membership.decided_by = by
    membership.decided_at = timezone.now()
    membership.save()
    sync_editor_groups(user=membership.user)
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
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        # The city's own pages into Spanish and French (hub/translation.py grants the translations' pages).
        *Permission.objects.filter(content_type__app_label="wagtail_localize", codename="submit_translation"),
    )
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
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    Membership.objects.filter(user=user).delete()
    profile = ResearcherProfile.objects.filter(user=user).select_related("user", "photo").first()
    if profile:
        photo = profile.photo
        if _public_parts(profile)[0]:
            bulk.withdraw()  # the bulk download lists them
        profile.delete()  # its languages and publications go with it, and its search entry
        if photo:
            photo_delete(image=photo)
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


def _photo_name(*, level: str, extension: str) -> str:
    """A new random file name; a photo not shown to everyone is named so that it is stored privately.

    Random and new for every level, so that an address someone learnt while they could see the photo
    leads nowhere once its researcher shows it to fewer people."""
    prefix = "photo-" if level == Visibility.PUBLIC else PRIVATE_PHOTO_PREFIX
    return f"{prefix}{uuid.uuid4().hex}.{extension}"


def _photo_image(
    *,
    title: str,
    level: str,
    content: ContentFile,
    extension: str,
    size: tuple[int, int],
    like: AbstractImage | None = None,
) -> AbstractImage:
    """A new image of the photo collection (or of ``like``'s, with its focal point) under a new random name."""
    image = get_image_model()(title=title[:255], collection=like.collection if like else photo_collection())
    if like is not None:
        image.focal_point_x, image.focal_point_y = like.focal_point_x, like.focal_point_y
        image.focal_point_width, image.focal_point_height = like.focal_point_width, like.focal_point_height
    image.file.save(_photo_name(level=level, extension=extension), content, save=False)
    image.width, image.height = size
    image._set_image_file_metadata()
    image.save()
    return image


def _photo_save(*, profile: ResearcherProfile, upload) -> AbstractImage:
    content, extension, size = _photo_file(upload)
    return _photo_image(
        title=f"Photo of {profile.user.display_name}",
        level=profile.photo_visibility,
        content=content,
        extension=extension,
        size=size,
    )


def _photo_refile(*, profile: ResearcherProfile, image: AbstractImage) -> AbstractImage:
    """The same photo as a new image at a new address that suits the profile's photo visibility."""
    with image.open_file() as source:
        content = ContentFile(source.read())
    extension = os.path.splitext(image.file.name)[1].lstrip(".").lower() or "jpg"
    return _photo_image(
        title=image.title,
        level=profile.photo_visibility,
        content=content,
        extension=extension,
        size=(image.width, image.height),
        like=image,
    )


def photo_delete(*, image: AbstractImage) -> None:
    """Delete a photo's image, its renditions and — in this request, once committed — every file of them.

    Wagtail deletes the files by a queued task; a photo being hidden must not wait for a worker."""
    names = [image.file.name, *image.renditions.values_list("file", flat=True)]
    image.delete()  # its renditions go with it

    def delete_files():
        for name in names:
            if name:
                default_storage.delete(name)

    transaction.on_commit(delete_files)


def _public_parts(profile: ResearcherProfile) -> tuple[bool, frozenset[str]]:
    """Whether an anonymous reader sees the profile at all, and which of its personal fields."""
    listed = bool(profile.is_public and profile.user.is_active)
    return listed, visibility.visible_fields(profile, None) if listed else frozenset()


@transaction.atomic
def profile_update(
    *,
    profile: ResearcherProfile,
    by: User,
    fields: dict,
    relations: dict,
    languages: list[tuple],
    publications: list[dict],
    affiliations: list[dict] | None = None,
    photo=None,
    remove_photo: bool = False,
    edit_version: int,
) -> ResearcherProfile:
    """Save a researcher's whole profile at once: fields, vocabularies, languages, publications, photo.

    ``languages`` is a list of (Language, level); ``publications`` of dicts with title, year, doi
    and url; both replace what was there. A new ``photo`` (an upload that passed
    ``validate_photo``) replaces the old one, whose image is deleted.

    ``edit_version`` is the version the form was opened on: a save from a tab (or anyone) opened before
    the last save raises ``hub.versioning.StaleEdit`` and saves nothing, not even the photo.

    What the researcher hides is hidden from every public channel in this request: a photo whose
    visibility changes moves to a new address (private storage unless it is shown to everyone) and its
    old files are deleted; search entries are synced once this commits (``hub.search``), and the bulk
    download is withdrawn when a field or the whole profile leaves public view.
    """
    if profile.user_id != by.pk:
        raise PermissionDenied(_("You can only edit your own profile."))
    # As stored: a bound ModelForm has already written the new values onto ``profile``.
    stored = ResearcherProfile.objects.select_related("user").get(pk=profile.pk)
    old_photo = profile.photo if profile.photo_id else None
    for name, value in fields.items():
        setattr(profile, name, value)
    if remove_photo and not photo:
        profile.photo = None
    if fields.get("orcid"):
        profile.orcid = normalise_orcid(fields["orcid"])
    profile.full_clean(exclude=["user", "photo"])
    claim_edit(profile, expected=edit_version)  # the save below writes the version claim_edit set
    profile.save()
    if photo:
        profile.photo = _photo_save(profile=profile, upload=photo)
        profile.save(update_fields=["photo", "updated_at"])
    elif profile.photo_id and profile.photo_visibility != stored.photo_visibility:
        profile.photo = _photo_refile(profile=profile, image=profile.photo)
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
    if affiliations is not None:  # earlier affiliations (conflicts of interest); None leaves them as they are
        profile.affiliation_history.all().delete()
        for order, item in enumerate(affiliations):
            period = AffiliationPeriod(profile=profile, sort_order=order, **item)
            period.full_clean(exclude=["profile"])
            period.save()
    if old_photo is not None and old_photo.pk != profile.photo_id:
        photo_delete(image=old_photo)
    was_listed, was_shown = _public_parts(stored)
    is_listed, is_shown = _public_parts(profile)
    if (was_listed and not is_listed) or was_shown - is_shown:
        bulk.withdraw()  # the bulk download holds what was public until now
    return profile
