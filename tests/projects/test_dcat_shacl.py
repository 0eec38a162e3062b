"""DCAT-AP 3.0.1: the catalogue and each dataset's JSON-LD pass the official SHACL shapes with zero violations.

The shapes are the upstream files in tests/data/dcat-ap/ (see its README): the ranges file names five property
shapes that no file defines, so those five references are dropped before validating (pyshacl refuses them).
The themes the descriptions name are the site's own SKOS concepts, and each of them answers at its IRI.
"""

import io
import json
import random
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.urls import reverse

import pytest
import rdflib
from pyshacl import validate
from rdflib.namespace import RDF, SH, SKOS

from hub.models import Country, SDGTarget, Theme
from projects.demo import datasets as demo_datasets
from projects.models import Dataset
from tests.projects.test_datasets_views import make_dataset

SHAPES_DIR = Path(__file__).resolve().parent.parent / "data" / "dcat-ap"
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
PUBLIC = "https://bridges.example:8443"
# Vocabularies, licences and authority tables: not addresses of this site.
EXTERNAL = re.compile(
    r"^https?://(www\.w3\.org|purl\.org|xmlns\.com|schema\.org|creativecommons\.org|www\.iana\.org|"
    r"publications\.europa\.eu)/"
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),  # inside rdflib
]


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    """The official shapes, loaded once per module, without the upstream file's five dangling references."""
    graph = rdflib.Graph()
    for name in ("3.0.1_shacl_dcat-ap-SHACL.ttl", "3.0.1_shacl_ranges.ttl"):
        graph.parse(SHAPES_DIR / name, format="turtle")
    dangling = [(s, o) for s, o in graph.subject_objects(SH.property) if (o, SH.path, None) not in graph]
    assert len(dangling) == 5, "the upstream defect changed: read tests/data/dcat-ap/README.md again"
    for subject, shape in dangling:
        graph.remove((subject, SH.property, shape))
    return graph


def assert_valid(shapes: rdflib.Graph, jsonld: str | dict, what: str) -> None:
    """Conforms with zero violations (the shapes' recommendations are warnings: allowed); the report otherwise."""
    data = rdflib.Graph().parse(data=jsonld if isinstance(jsonld, str) else json.dumps(jsonld), format="json-ld")
    conforms, report, text = validate(data, shacl_graph=shapes, inference="rdfs", allow_warnings=True)
    count = len(list(report.subjects(SH.resultSeverity, SH.Violation)))
    assert conforms and count == 0, f"{what}: {count} DCAT-AP violations\n{text}"


@pytest.fixture
def datasets(partnership, researcher):
    """Open with themes, SDG targets, countries, a period and provenance; on request without any; closed; a draft."""
    rich = make_dataset(
        partnership,
        researcher,
        provenance="Court records of the district courts, counted by the housing office.",
        period_start="2023-01-01",
        period_end="2023-12-31",
    )
    rich.themes.set(Theme.objects.order_by("pk")[:2])
    rich.sdg_targets.set(SDGTarget.objects.filter(code__in=["11.1", "10.2"]))
    rich.countries.set(Country.objects.filter(code__in=["AT", "ES"]))
    on_request = make_dataset(
        partnership, researcher, title="Tenant survey", access_level=Dataset.AccessLevel.ON_REQUEST
    )
    closed = make_dataset(partnership, researcher, title="Closed case files", access_level=Dataset.AccessLevel.CLOSED)
    draft = make_dataset(partnership, researcher, title="Unpublished draft", publish=False)
    return {"rich": rich, "on_request": on_request, "closed": closed, "draft": draft}


def test_the_catalogue_conforms_names_public_datasets_and_its_themes_answer(client, shapes, datasets, settings):
    settings.SITE_BASE_URL = PUBLIC
    catalogue = client.get(reverse("dataset_catalog"), HTTP_HOST="node-7.internal:9999").json()
    assert_valid(shapes, catalogue, "/data/catalog.jsonld")
    assert {d["dct:title"] for d in catalogue["dcat:dataset"]} == {
        "Evictions by district, Graz 2023",
        "Tenant survey",
        "Closed case files",
    }
    assert catalogue["dct:publisher"]["foaf:name"] == "Bridges"
    graph = rdflib.Graph().parse(data=json.dumps(catalogue), format="json-ld")
    iris = {str(node) for node in graph.all_nodes() if isinstance(node, rdflib.URIRef)}
    assert {iri for iri in iris if not iri.startswith(PUBLIC) and not EXTERNAL.match(iri)} == set()
    # Every distribution can be reached; open data also downloaded, as CSV and JSON with IANA media types.
    distributions = list(graph.subjects(RDF.type, DCAT.Distribution))
    assert len(distributions) == 3
    assert all(graph.value(d, DCAT.accessURL) for d in distributions)
    media = {str(graph.value(d, DCAT.mediaType)) for d in distributions if graph.value(d, DCAT.downloadURL)}
    assert media == {
        "http://www.iana.org/assignments/media-types/text/csv",
        "http://www.iana.org/assignments/media-types/application/json",
    }
    # The themes are SKOS concepts of the site's two schemes, and each answers at its IRI.
    rich = next(d for d in catalogue["dcat:dataset"] if d["dct:title"].startswith("Evictions"))
    themes = [t["@id"] for t in rich["dcat:theme"]]
    assert len(themes) == 4 and all(t.startswith(f"{PUBLIC}/vocabularies/skos/") for t in themes)
    assert {t["@id"] for t in catalogue["dcat:themeTaxonomy"]} == {
        f"{PUBLIC}/vocabularies/skos/themes",
        f"{PUBLIC}/vocabularies/skos/sdg",
    }
    for iri in themes:
        response = client.get(urlsplit(iri).path)
        assert response.status_code == 200 and response["Content-Type"] == "application/ld+json", iri
        concepts = rdflib.Graph().parse(data=response.content.decode(), format="json-ld")
        concept = rdflib.URIRef(iri)
        assert (concept, RDF.type, SKOS.Concept) in concepts
        assert concepts.value(concept, SKOS.prefLabel) and concepts.value(concept, SKOS.inScheme)
    assert client.get("/vocabularies/skos/themes/no-such-theme").status_code == 404
    assert client.get("/vocabularies/skos/sdg/99.9").status_code == 404
    assert client.get("/vocabularies/skos/nothing").status_code == 404


def test_each_dataset_json_ld_conforms_in_every_language_with_the_same_addresses(client, shapes, datasets):
    for which in ("rich", "on_request", "closed"):
        dataset = datasets[which]
        response = client.get(reverse("dataset_jsonld", args=[dataset.slug]))
        assert response["Content-Type"] == "application/ld+json"
        assert_valid(shapes, response.content.decode(), f"{dataset.slug}.jsonld")
    assert client.get(reverse("dataset_jsonld", args=[datasets["draft"].slug])).status_code == 404

    dataset = datasets["rich"]
    html = client.get(f"/es{dataset.get_absolute_url()}", HTTP_HOST="node-7.internal:9999").content.decode()
    embedded = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert_valid(shapes, embedded, "the JSON-LD embedded in the Spanish page")
    iri = json.loads(embedded)["@id"]
    assert iri == client.get(reverse("dataset_jsonld", args=[dataset.slug])).json()["@id"]
    assert "/es/" not in embedded  # identifiers do not depend on the reader's language
    assert f'<a href="{iri}">{iri}</a>' in html  # the stable address shown is the public one, not the request's host


@pytest.mark.parametrize("scheme", ["themes", "sdg"])
def test_the_concept_schemes_list_every_concept_with_labels_in_each_language(client, shapes, scheme):
    response = client.get(f"/vocabularies/skos/{scheme}")
    assert_valid(shapes, response.content.decode(), f"/vocabularies/skos/{scheme}")
    graph = rdflib.Graph().parse(data=response.content.decode(), format="json-ld")
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    expected = Theme.objects.count() if scheme == "themes" else SDGTarget.objects.count() + 17
    assert len(concepts) == expected > 0
    assert all(graph.value(c, SKOS.prefLabel) for c in concepts)
    languages = {label.language for label in graph.objects(None, SKOS.prefLabel)}
    # English always; the SDGs' official Spanish and French titles ship with the vocabulary.
    assert languages >= ({"en", "es", "fr"} if scheme == "sdg" else {"en"})


def test_the_demo_catalogue_conforms(client, shapes, partnership):
    """The demo's datasets (open and on request, with themes, targets, countries, periods and provenance)."""
    demo_datasets.seed(rng=random.Random(1), stdout=io.StringIO())
    catalogue = client.get(reverse("dataset_catalog")).json()
    assert len(catalogue["dcat:dataset"]) >= 2
    assert_valid(shapes, catalogue, "the demo's /data/catalog.jsonld")
