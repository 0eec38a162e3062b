"""The vocabularies as SKOS (JSON-LD) at stable, language-independent IRIs: see hub/skos.py."""

from django.http import Http404, JsonResponse

from hub import skos

SCHEMES = (skos.THEMES, skos.SDG)


def _jsonld(document: dict) -> JsonResponse:
    return JsonResponse(document, content_type="application/ld+json", json_dumps_params={"ensure_ascii": False})


def concept_scheme(request, scheme: str):
    """/vocabularies/skos/<scheme>: the scheme with all its concepts."""
    if scheme not in SCHEMES:
        raise Http404
    return _jsonld(skos.scheme_document(scheme))


def concept(request, scheme: str, code: str):
    """/vocabularies/skos/<scheme>/<code>: one concept (a theme, an SDG goal or an SDG target)."""
    document = skos.concept_document(scheme, code) if scheme in SCHEMES else None
    if document is None:
        raise Http404
    return _jsonld(document)
