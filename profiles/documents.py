"""What search indexes of profiles: live city pages, and listed researchers' *public* fields only.

A researcher's entry is built from ``visibility.public_view(profile, None)`` (what an anonymous
reader may see): a bio, affiliation, countries or languages shown to members only, or hidden,
are never indexed, so no query can find or show them.
"""

from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from hub.search.elastic import BridgesDocument, index_alias
from hub.search.registry import Entry, SearchType, plain, register, sdg_goals
from hub.search.signals import enqueue
from hub.translation import translated_texts
from profiles import visibility
from profiles.models import CityPage, ProfileLanguage, Publication, ResearcherProfile, User
from profiles.selectors import city_pages_public


class CityDocument(BridgesDocument):
    """A city page in Elasticsearch."""

    class Index:
        name = index_alias("city")


class ResearcherDocument(BridgesDocument):
    """A listed researcher's public fields in Elasticsearch."""

    class Index:
        name = index_alias("researcher")


def city_entry(page: CityPage) -> Entry:
    organisation = page.organisation
    return Entry(
        title=page.title,
        url=page.url or page.url_path,
        body=plain(page.intro, organisation.description, organisation.city, page.body, *translated_texts(page)),
        facets={"country": [organisation.country.code]},
    )


def public_researchers():
    return (
        visibility.profiles_visible_to(None)
        .select_related("user", "affiliation")
        .prefetch_related(
            "themes", "sdg_targets", "methods", "countries", "profile_languages__language", "publications"
        )
    )


def researcher_entry(profile: ResearcherProfile) -> Entry:
    view = visibility.public_view(profile, None)
    parts = [profile.headline]
    if view.shows("affiliation") and view.affiliation:
        parts.append(view.affiliation.name)
    if view.shows("bio"):
        parts.append(view.bio)
    if view.shows("publications"):
        parts.extend(p.title for p in view.publications)
    return Entry(
        title=profile.user.display_name,
        url=profile.get_absolute_url(),
        body=plain(*parts),
        facets={
            "theme": [t.slug for t in profile.themes.all()],
            "sdg": sdg_goals(profile.sdg_targets.all()),
            "method": [m.slug for m in profile.methods.all()],
            "country": [c.code for c in view.countries] if view.shows("countries") else [],
            "language": [pl.language.code for pl in view.languages] if view.shows("languages") else [],
        },
    )


register(
    SearchType(
        kind="city",
        label=_("City"),
        label_plural=_("Cities"),
        model=CityPage,
        public=city_pages_public,
        to_entry=city_entry,
        document=CityDocument,
        is_page=True,
        order=20,
    )
)
register(
    SearchType(
        kind="researcher",
        label=_("Researcher"),
        label_plural=_("Researchers"),
        model=ResearcherProfile,
        public=public_researchers,
        to_entry=researcher_entry,
        document=ResearcherDocument,
        m2m_fields=("themes", "sdg_targets", "methods", "countries"),
        order=30,
    )
)


def _reindex_profile_of(sender, instance, raw=False, **kwargs):
    """A renamed user, or a publication or language added or removed, changes the profile's entry."""
    if raw:
        return
    profile = (
        ResearcherProfile.objects.filter(user_id=instance.pk).first()
        if isinstance(instance, User)
        else ResearcherProfile.objects.filter(pk=instance.profile_id).first()
    )
    if profile is not None:
        enqueue(profile)


post_save.connect(_reindex_profile_of, sender=User, dispatch_uid="search.profile.user")
for _model in (Publication, ProfileLanguage):
    post_save.connect(_reindex_profile_of, sender=_model, dispatch_uid=f"search.profile.{_model.__name__}.save")
    post_delete.connect(_reindex_profile_of, sender=_model, dispatch_uid=f"search.profile.{_model.__name__}.delete")
