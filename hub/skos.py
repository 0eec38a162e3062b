"""The shared vocabularies as SKOS concept schemes: human-rights themes and the SDG goals and targets.

Each scheme and each concept has a stable IRI on ``SITE_BASE_URL`` that answers with its JSON-LD
(hub/views_vocabularies.py): ``/vocabularies/skos/themes`` and ``/vocabularies/skos/themes/<slug>``,
``/vocabularies/skos/sdg`` and ``/vocabularies/skos/sdg/<code>`` (a goal, "11", or a target, "11.1").
The IRIs do not depend on the language; the labels are given in every language the site speaks.
DCAT (``dcat:theme``, ``dcat:themeTaxonomy``) names these IRIs.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from hub.models import SDGGoal, SDGTarget, Theme
from hub.public_address import absolute_url

SKOS_CONTEXT = {
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
}

THEMES = "themes"
SDG = "sdg"


def scheme_iri(scheme: str) -> str:
    return absolute_url(reverse("skos_scheme", args=[scheme]))


def theme_iri(theme: Theme) -> str:
    return absolute_url(reverse("skos_concept", args=[THEMES, theme.slug]))


def sdg_iri(code: str) -> str:
    """A goal ("11") or a target ("11.1", "11.a")."""
    return absolute_url(reverse("skos_concept", args=[SDG, code]))


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def labels(text_in) -> list[dict]:
    """``text_in(language)`` in every language of the site: English always, others where they differ."""
    default = settings.LANGUAGE_CODE.split("-")[0]
    with translation.override(default):
        first = str(text_in(default))
    values = [{"@value": first, "@language": default}]
    for language in _languages():
        if language == default:
            continue
        with translation.override(language):
            text = str(text_in(language))
        if text and text != first:
            values.append({"@value": text, "@language": language})
    return values


def _page(path_of) -> dict:
    """The human page of a concept (in the default language: its address has no language prefix)."""
    with translation.override(settings.LANGUAGE_CODE):
        return {"@id": absolute_url(path_of()), "@type": "foaf:Document"}


def theme_concept(theme: Theme, *, full: bool = True) -> dict:
    concept = {
        "@id": theme_iri(theme),
        "@type": "skos:Concept",
        "skos:prefLabel": labels(lambda _language: theme.localized_name),
        "skos:inScheme": {"@id": scheme_iri(THEMES)},
    }
    if full:
        concept["skos:notation"] = theme.slug
        if theme.description:
            concept["skos:definition"] = {"@value": theme.description, "@language": "en"}
        concept["skos:topConceptOf"] = {"@id": scheme_iri(THEMES)}
        concept["foaf:page"] = _page(theme.get_absolute_url)
    return concept


def sdg_goal_concept(goal: SDGGoal, *, full: bool = True) -> dict:
    concept = {
        "@id": sdg_iri(goal.code),
        "@type": "skos:Concept",
        "skos:prefLabel": labels(lambda language: f"SDG {goal.number}: {goal.title_in(language, field='short')}"),
        "skos:inScheme": {"@id": scheme_iri(SDG)},
    }
    if full:
        concept["skos:notation"] = goal.code
        concept["skos:definition"] = labels(lambda language: goal.title_in(language))
        concept["skos:topConceptOf"] = {"@id": scheme_iri(SDG)}
        concept["foaf:page"] = _page(goal.get_absolute_url)
    return concept


def sdg_target_concept(target: SDGTarget, *, full: bool = True) -> dict:
    """A target; ``target.goal`` is read (select it with the target)."""
    concept = {
        "@id": sdg_iri(target.code),
        "@type": "skos:Concept",
        "skos:prefLabel": labels(lambda language: f"SDG {target.code}: {target.title_in(language)}"),
        "skos:inScheme": {"@id": scheme_iri(SDG)},
    }
    if full:
        concept["skos:notation"] = target.code
        concept["skos:broader"] = {"@id": sdg_iri(target.goal.code)}
        concept["foaf:page"] = _page(target.goal.get_absolute_url)
    return concept


def scheme_node(scheme: str) -> dict:
    """The scheme itself, as DCAT's ``dcat:themeTaxonomy`` names it (``dct:title`` is mandatory there)."""
    titles = {
        THEMES: lambda _language: translation.gettext("Human-rights themes"),
        SDG: lambda _language: translation.gettext("Sustainable Development Goals and targets"),
    }
    return {
        "@id": scheme_iri(scheme),
        "@type": "skos:ConceptScheme",
        "dct:title": labels(titles[scheme]),
    }


def scheme_document(scheme: str) -> dict:
    """The whole scheme with every concept, as JSON-LD."""
    node = scheme_node(scheme)
    if scheme == THEMES:
        concepts = [theme_concept(theme) for theme in Theme.objects.order_by("name")]
        node["foaf:page"] = _page(lambda: reverse("vocab:themes"))
    else:
        goals = list(SDGGoal.objects.order_by("number"))
        targets = list(SDGTarget.objects.select_related("goal").order_by("sort_key"))
        concepts = [sdg_goal_concept(goal) for goal in goals] + [sdg_target_concept(t) for t in targets]
        node["foaf:page"] = _page(lambda: reverse("vocab:sdgs"))
    node["skos:hasTopConcept"] = [{"@id": concept["@id"]} for concept in concepts if "skos:topConceptOf" in concept]
    return {"@context": SKOS_CONTEXT, "@graph": [node, *concepts]}


def concept_document(scheme: str, code: str) -> dict | None:
    """One concept with its scheme, as JSON-LD; None when there is no such concept."""
    if scheme == THEMES:
        theme = Theme.objects.filter(slug=code).first()
        concept = theme_concept(theme) if theme else None
    elif "." in code:
        target = SDGTarget.objects.select_related("goal").filter(code=code).first()
        concept = sdg_target_concept(target) if target else None
    else:
        goal = SDGGoal.objects.filter(number=int(code)).first() if code.isdigit() and len(code) <= 3 else None
        concept = sdg_goal_concept(goal) if goal else None
        if concept:
            concept["skos:narrower"] = [{"@id": sdg_iri(t.code)} for t in goal.targets.order_by("sort_key")]
    if concept is None:
        return None
    return {"@context": SKOS_CONTEXT, "@graph": [scheme_node(scheme), concept]}
