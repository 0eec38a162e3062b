"""Saved searches and email alerts: the source registry, matching new items, digests and unsubscribing.

Each kind of public item that people can follow is an ``AlertSource`` given by an ``alert_sources`` Wagtail
hook (``hub/hooks.py``): research calls (below, registered in ``calls/wagtail_hooks.py``), partnerships
(``projects.alerts``, registered in ``projects/wagtail_hooks.py``). A source says which
query parameters it understands, normalises a query string, finds the public items published since
a moment that match a saved query, and says how to show one item in an email.

One run (``send_alerts(frequency=…)``) looks at every saved search of that frequency, gathers each
user's new matches into one digest with a section per search, and records an ``AlertDelivery`` per
(search, item) in the same transaction that decides to send; the email is queued when that commits.
The unique delivery record is what makes an item go out once, however often or concurrently it runs.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wagtail import hooks
from wagtail.signals import page_published

from calls.filters import CallFilter
from calls.models import AlertDelivery, ResearchCall, SavedSearch
from calls.selectors import calls_public
from hub.mail import queue_email, render_text
from hub.models import Country, GroupAtRisk, Method, SDGGoal, Theme
from hub.registry import DashboardSection
from profiles.models import ResearcherProfile, User

MAX_SAVED_SEARCHES = 20
MAX_VALUE_LENGTH = 100
UNSUBSCRIBE_SALT = "calls.alerts.unsubscribe"


# --- Sources -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """A query parameter a source understands; vocabulary values must exist to be kept."""

    name: str
    label: str
    vocabulary: type[models.Model] | None = None
    key_field: str = "slug"
    label_field: str = "name"
    multiple: bool = False


@dataclass(frozen=True)
class AlertItem:
    """One item as an email shows it."""

    title: str
    url: str
    meta: str = ""
    summary: str = ""


@dataclass(frozen=True)
class Suggestion:
    """A saved search proposed from the user's profile."""

    source: "AlertSource"
    name: str
    query: str
    facts: list[tuple[str, str]] = field(default_factory=list)


class AlertSource:
    """What can be followed with a saved search; subclass and answer the ``alert_sources`` hook with an instance."""

    key: str = ""
    label: str = ""  # plural, e.g. "Research calls"
    params: tuple[Param, ...] = ()

    # What subclasses implement.

    def new_items(self, params: dict[str, list[str]], *, since: dt.datetime) -> QuerySet:
        """Public items published after ``since`` that match ``params``, oldest first."""
        raise NotImplementedError

    def item(self, obj) -> AlertItem:
        raise NotImplementedError

    def suggestion(self, user: User) -> Suggestion | None:
        """The saved search the user's profile suggests, if any."""
        return None

    def browse_url(self, query: str) -> str:
        """Where the saved filter can be seen on the site ("" when it cannot)."""
        return ""

    def clean_value(self, param: Param, value: str) -> str | None:
        """A non-vocabulary value as it is stored, or None to drop it."""
        return value

    def value_label(self, param: Param, value: str) -> str:
        """How a non-vocabulary value reads to people."""
        return value

    # Shared behaviour.

    def normalise(self, data: Mapping) -> str:
        """Only known parameters with valid, non-empty values, in a fixed order: the canonical query string."""
        getlist = data.getlist if hasattr(data, "getlist") else (lambda k: [data[k]] if k in data else [])
        pairs: list[tuple[str, str]] = []
        for param in self.params:
            values = [str(v).strip()[:MAX_VALUE_LENGTH] for v in getlist(param.name)]
            values = [v for v in values if v]
            if not values:
                continue
            if not param.multiple:
                values = values[-1:]
            values = [c for c in (self.clean_value(param, v) for v in values) if c]
            if param.vocabulary is not None and values:
                known = {
                    str(k)
                    for k in param.vocabulary.objects.filter(**{f"{param.key_field}__in": values}).values_list(
                        param.key_field, flat=True
                    )
                }
                values = sorted({v for v in values if v in known})
            pairs += [(param.name, v) for v in values]
        return urlencode(pairs)

    def parse(self, query: str) -> dict[str, list[str]]:
        data = QueryDict(query)
        return {p.name: data.getlist(p.name) for p in self.params if data.getlist(p.name)}

    def describe_many(self, queries: list[str]) -> list[list[tuple[str, str]]]:
        """Each query as (label, values) pairs for people, with one lookup per vocabulary used."""
        parsed = [self.parse(q) for q in queries]
        names: dict[str, dict[str, str]] = {}
        for param in self.params:
            if param.vocabulary is None:
                continue
            wanted = {v for p in parsed for v in p.get(param.name, [])}
            if wanted:
                rows = param.vocabulary.objects.filter(**{f"{param.key_field}__in": wanted}).values_list(
                    param.key_field, param.label_field
                )
                names[param.name] = {str(k): str(label) for k, label in rows}
        described = []
        for p in parsed:
            facts = []
            for param in self.params:
                values = p.get(param.name)
                if values:
                    if param.vocabulary is None:
                        shown = [self.value_label(param, v) for v in values]
                    else:
                        shown = [names.get(param.name, {}).get(v, v) for v in values]
                    facts.append((param.label, _(" or ").join(shown)))
            described.append(facts)
        return described

    def describe(self, query: str) -> list[tuple[str, str]]:
        return self.describe_many([query])[0]

    def default_name(self, query: str) -> str:
        facts = self.describe(query)
        name = ", ".join(value for _label, value in facts) or str(self.label)
        return name[:100]


def alert_sources() -> list[AlertSource]:
    """Every source (answers of the ``alert_sources`` hook), in hook order."""
    return [hook() for hook in hooks.get_hooks("alert_sources")]


def alert_source(key: str) -> AlertSource | None:
    return next((source for source in alert_sources() if source.key == key), None)


class CallsSource(AlertSource):
    """Published, public research calls, filtered like /calls/ (theme and method may hold several values)."""

    key = "calls"
    MULTIPLE_LOOKUPS = {"theme": "themes__slug__in", "method": "methods__slug__in"}

    @property
    def label(self) -> str:
        return _("Research calls")

    @property
    def params(self) -> tuple[Param, ...]:
        vocabularies = {
            "theme": {"vocabulary": Theme, "multiple": True},
            "method": {"vocabulary": Method, "multiple": True},
            "group": {"vocabulary": GroupAtRisk},
            "country": {"vocabulary": Country, "key_field": "code"},
            "sdg": {"vocabulary": SDGGoal, "key_field": "number", "label_field": "short"},
        }
        return tuple(
            Param(name, str(f.label), **vocabularies.get(name, {}))
            for name, f in CallFilter.base_filters.items()
            if name not in ("sort", "page")
        )

    def clean_value(self, param: Param, value: str) -> str | None:
        form_field = CallFilter.base_filters[param.name].field
        try:
            cleaned = form_field.clean(value)
        except ValidationError:
            return None
        if cleaned in (None, "", []):
            return None
        if isinstance(cleaned, dt.date):
            return cleaned.isoformat()
        if isinstance(cleaned, Decimal):
            return str(int(cleaned)) if cleaned == cleaned.to_integral_value() else str(cleaned)
        return value

    def value_label(self, param: Param, value: str) -> str:
        choices = CallFilter.base_filters[param.name].extra.get("choices")
        return str(dict(choices).get(value, value)) if choices else value

    def new_items(self, params: dict[str, list[str]], *, since: dt.datetime) -> QuerySet:
        single = QueryDict(mutable=True)
        several = {}
        for name, values in params.items():
            if len(values) > 1 and name in self.MULTIPLE_LOOKUPS:
                several[self.MULTIPLE_LOOKUPS[name]] = values
            else:
                single[name] = values[-1]
        queryset = CallFilter(single, queryset=calls_public().filter(first_published_at__gt=since)).qs
        for lookup, values in several.items():
            queryset = queryset.filter(pk__in=ResearchCall.objects.filter(**{lookup: values}).values("pk"))
        return queryset.defer_streamfields().order_by("first_published_at", "pk")

    def item(self, obj) -> AlertItem:
        closes = timezone.localtime(obj.closes_at).strftime("%d %b %Y") if obj.closes_at else ""
        meta = " · ".join(
            part
            for part in [
                obj.organisation.name if obj.organisation else "",
                _("deadline %(date)s") % {"date": closes} if closes else "",
            ]
            if part
        )
        return AlertItem(title=obj.title, url=obj.get_url() or "", meta=meta, summary=obj.summary or "")

    def suggestion(self, user: User) -> Suggestion | None:
        profile = _profile_of(user)
        if profile is None:
            return None
        themes = list(profile.themes.values_list("slug", flat=True))
        methods = list(profile.methods.values_list("slug", flat=True))
        if not (themes or methods):
            return None
        query = self.normalise(QueryDict(urlencode([("theme", t) for t in themes] + [("method", m) for m in methods])))
        if themes and methods:
            name = _("Calls on my themes and methods")
        else:
            name = _("Calls on my themes") if themes else _("Calls seeking my methods")
        return Suggestion(self, name, query, self.describe(query))

    def browse_url(self, query: str) -> str:
        parsed = self.parse(query)
        if any(len(values) > 1 for values in parsed.values()):
            return ""  # /calls/ filters one value per facet
        return f"/calls/?{query}" if query else "/calls/"


def _profile_of(user: User):
    if not getattr(user, "is_authenticated", False):
        return None
    return ResearcherProfile.objects.filter(user=user).first()


def dashboard_section(user: User) -> DashboardSection:
    """The alerts panel on /dashboard/: how many saved searches, and the link to manage them."""
    context = {"saved_search_count": saved_searches_of(user).count(), "limit": MAX_SAVED_SEARCHES}
    return DashboardSection("alerts", "calls/alerts/dashboard_section.html", context)


def connect() -> None:
    """Send instant alerts when a call is published (CallsConfig.ready)."""
    page_published.connect(_call_published, sender=ResearchCall, dispatch_uid="calls_alerts_instant")


def _call_published(sender, instance, **kwargs) -> None:
    enqueue_instant_alerts()


def enqueue_instant_alerts() -> None:
    """Send the instant alerts once the current transaction has committed (what was published is visible)."""
    from calls.tasks import send_instant_alerts  # cycle: calls.tasks imports send_alerts from this module

    transaction.on_commit(lambda: send_instant_alerts.enqueue(), robust=True)


# --- Saving, changing and removing saved searches ------------------------------------------------


def saved_searches_of(user: User) -> QuerySet[SavedSearch]:
    """The user's own saved searches, newest first (nobody else sees them)."""
    if not getattr(user, "is_authenticated", False):
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(user=user)


def saved_search_create(*, user: User, source: str, query: str, name: str, frequency: str) -> SavedSearch:
    """Save a normalised filter for the user; refuses an empty filter, a duplicate and more than the limit."""
    alert = alert_source(source)
    if alert is None:
        raise ValidationError(_("This kind of search cannot be saved."), code="source")
    normalised = alert.normalise(QueryDict(query))
    if not normalised:
        raise ValidationError(
            _(
                "There is nothing to save: choose at least one filter (for example a theme, a method or a "
                "country) first. Filters that were not understood are ignored."
            ),
            code="empty",
        )
    with transaction.atomic():
        # Lock the user's row so that two quick saves cannot both pass the limit.
        User.objects.select_for_update().filter(pk=user.pk).first()
        existing = SavedSearch.objects.filter(user=user)
        if existing.filter(source=source, query=normalised).exists():
            raise ValidationError(_("You have already saved this search."), code="duplicate")
        if existing.count() >= MAX_SAVED_SEARCHES:
            raise ValidationError(
                _(
                    "You already have %(limit)d saved searches, the most you can keep. Delete one you no "
                    "longer need on your alerts page, then save this one."
                )
                % {"limit": MAX_SAVED_SEARCHES},
                code="limit",
            )
        try:
            with transaction.atomic():
                return SavedSearch.objects.create(
                    user=user, source=source, query=normalised, name=name.strip()[:100], frequency=frequency
                )
        except IntegrityError:
            # Saved by a concurrent request (the row lock above is a no-op on some databases): same answer.
            if not existing.filter(source=source, query=normalised).exists():
                raise
            raise ValidationError(_("You have already saved this search."), code="duplicate") from None


def saved_search_update(*, saved_search: SavedSearch, name: str, frequency: str) -> SavedSearch:
    saved_search.name = name.strip()[:100]
    saved_search.frequency = frequency
    saved_search.save(update_fields=["name", "frequency"])
    return saved_search


def saved_search_delete(*, saved_search: SavedSearch) -> None:
    saved_search.delete()


# --- Unsubscribing without signing in -----------------------------------------------------------


def unsubscribe_token(user_id: int, search_ids: Iterable[int]) -> str:
    """A signed, salted token naming the saved searches of one user that a link may delete."""
    return signing.dumps({"u": user_id, "s": sorted(set(search_ids))}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, list[int]]:
    """(user id, saved search ids) from a token; raises ``signing.BadSignature`` when it was tampered with."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    try:
        return int(data["u"]), [int(pk) for pk in data["s"]]
    except (KeyError, TypeError, ValueError) as error:
        raise signing.BadSignature("malformed unsubscribe token") from error


def searches_for_token(token: str) -> QuerySet[SavedSearch]:
    user_id, ids = read_unsubscribe_token(token)
    return SavedSearch.objects.filter(user_id=user_id, pk__in=ids)


def unsubscribe(token: str) -> int:
    """Delete the saved searches a valid token names (only its own user's); returns how many."""
    _total, by_model = searches_for_token(token).delete()
    return by_model.get(SavedSearch._meta.label, 0)


def unsubscribe_url(token: str) -> str:
    return reverse("alerts_unsubscribe", args=[token])


def one_click_url(token: str) -> str:
    return reverse("alerts_unsubscribe_one_click", args=[token])


# --- Digests ------------------------------------------------------------------------------------


@dataclass
class DigestSection:
    saved_search: SavedSearch
    source: AlertSource
    items: list[AlertItem]
    facts: list[tuple[str, str]]
    unsubscribe_url: str
    browse_url: str


@dataclass(frozen=True)
class Sent:
    digests: int
    items: int


def _claim(saved_search: SavedSearch, item_id: int, now: dt.datetime) -> bool:
    """Record the delivery; False when another run already recorded it (the unique pair refuses it)."""
    try:
        with transaction.atomic():
            AlertDelivery.objects.create(saved_search=saved_search, item_id=item_id, sent_at=now)
    except IntegrityError:
        return False
    return True


def _candidates(saved_search: SavedSearch, source: AlertSource) -> list:
    delivered = AlertDelivery.objects.filter(saved_search=saved_search).values("item_id")
    return list(
        source.new_items(source.parse(saved_search.query), since=saved_search.new_since).exclude(pk__in=delivered)
    )


def send_alerts(*, frequency: str, now: dt.datetime | None = None) -> Sent:
    """Email every user one digest of what is new for their saved searches of this frequency; idempotent."""
    now = now or timezone.now()
    searches = (
        SavedSearch.objects.filter(frequency=frequency, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id", "created_at", "pk")
    )
    digests = items = 0
    for _user_id, group in groupby(searches, key=lambda s: s.user_id):
        found = []
        for saved_search in group:
            source = alert_source(saved_search.source)
            if source is None:
                continue
            candidates = _candidates(saved_search, source)
            if candidates:
                found.append((saved_search, source, candidates))
        if not found:
            continue
        with transaction.atomic():
            sections = []
            for saved_search, source, candidates in found:
                claimed = [obj for obj in candidates if _claim(saved_search, obj.pk, now)]
                if not claimed:
                    continue
                SavedSearch.objects.filter(pk=saved_search.pk).update(last_sent_at=now)
                token = unsubscribe_token(saved_search.user_id, [saved_search.pk])
                sections.append(
                    DigestSection(
                        saved_search=saved_search,
                        source=source,
                        items=[source.item(obj) for obj in claimed],
                        facts=source.describe(saved_search.query),
                        unsubscribe_url=unsubscribe_url(token),
                        browse_url=source.browse_url(saved_search.query),
                    )
                )
            if sections:
                message = digest_message(user=sections[0].saved_search.user, sections=sections, frequency=frequency)
                transaction.on_commit(lambda m=message: _enqueue_email(m), robust=True)
                digests += 1
                items += sum(len(s.items) for s in sections)
    return Sent(digests=digests, items=items)


def digest_message(*, user: User, sections: list[DigestSection], frequency: str) -> dict:
    """Subject, plain-text and HTML bodies and List-Unsubscribe headers of one user's digest."""
    site_url = settings.SITE_BASE_URL.rstrip("/")
    total = sum(len(s.items) for s in sections)
    if len(sections) == 1:
        subject = ngettext(
            "%(count)d new for your alert “%(name)s”",
            "%(count)d new for your alert “%(name)s”",
            total,
        ) % {"count": total, "name": sections[0].saved_search.name}
    else:
        subject = ngettext(
            "%(count)d new item for your %(searches)d alerts",
            "%(count)d new items for your %(searches)d alerts",
            total,
        ) % {"count": total, "searches": len(sections)}
    # One line whatever the alert's name holds: a line break would be refused as a header injection.
    subject = " ".join(f"[Bridges] {subject}".split())
    all_token = unsubscribe_token(user.pk, [s.saved_search.pk for s in sections])
    context = {
        "user": user,
        "sections": sections,
        "frequency": frequency,
        "total": total,
        "site_url": site_url,
        "site_name": "Bridges",
        "manage_url": reverse("alerts_list"),
        "unsubscribe_all_url": unsubscribe_url(all_token),
    }
    return {
        "subject": subject,
        "body": render_text("calls/email/alert_digest.txt", context),
        "html": render_to_string("calls/email/alert_digest.html", context),
        "to": [user.email],
        "headers": {
            "List-Unsubscribe": f"<{site_url}{one_click_url(all_token)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    }


def _enqueue_email(message: dict) -> None:
    if message["to"][0].endswith(".invalid"):
        return
    queue_email(**message)
