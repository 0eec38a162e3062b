"""Citation formats of a result or dataset version (issue 19 §2), parsed back: BibTeX, RIS, CSL-JSON, DataCite XML.

Pure: no database, no network. Hostile titles (braces, quotes, backslashes, LaTeX specials, unicode, control
characters) must not break any format.
"""

import datetime as dt
import json
import re
from xml.etree import ElementTree as ET

import pytest

from projects.citations import (
    DATACITE_NS,
    DATACITE_REQUIRED,
    Citable,
    Creator,
    VersionLink,
    bibtex,
    bibtex_escape,
    csl_json,
    csl_json_text,
    datacite_problems,
    datacite_xml,
    formatted,
    ris,
)

HOSTILE = 'Rent {caps} & "quotes" 100% of $income_#1 \\end{document} ~^ — Zürich, Łódź, 東京\x00\x1b'
NS = {"d": DATACITE_NS}


def record(**overrides) -> Citable:
    fields = {
        "key": "bridges-result-7-v2",
        "kind": "report",
        "title": "Housing conditions of older tenants in Graz",
        "creators": (
            Creator("Anna Berger", affiliation="University of Graz", orcid="0000-0002-1825-0097"),
            Creator("Bruno Koch"),
            Creator("Housing rights monitor Graz", organisation=True),
        ),
        "publisher": "Bridges",
        "url": "https://bridges.example.org/results/housing/v/2/",
        "version": 2,
        "date": dt.date(2025, 3, 14),
        "doi": "10.1234/bridges.7",
        "abstract": "400 tenants over 65.",
        "language": "en",
        "licence": "CC-BY-4.0",
        "resource_label": "Report",
        "container": "Housing rights monitor Graz",
        "versions": (
            VersionLink(1, "https://bridges.example.org/results/housing/v/1/"),
            VersionLink(2, "https://bridges.example.org/results/housing/v/2/"),
        ),
    }
    fields.update(overrides)
    return Citable(**fields)


def parse_bibtex(text: str) -> tuple[str, str, dict[str, str]]:
    """(entry type, key, {field: value}) — a strict reader: braces must balance inside every value."""
    match = re.fullmatch(r"@(\w+)\{([^,\s]+),\n(.*)\n\}\n", text, flags=re.S)
    assert match, text
    entry, key, body = match.groups()
    fields, i = {}, 0
    while i < len(body):
        head = re.match(r"\s*(\w+) = \{", body[i:])
        assert head, body[i:]
        name, i = head.group(1), i + head.end()
        depth, start = 1, i
        while depth:
            ch = body[i]
            if ch == "\\":
                i += 2
                continue
            depth += {"{": 1, "}": -1}.get(ch, 0)
            i += 1
        fields[name] = body[start : i - 1]
        rest = re.match(r",\n|$", body[i:])
        assert rest is not None, body[i:]
        i += rest.end() or len(body) - i
    return entry, key, fields


def test_bibtex_parses_back_with_type_key_and_fields():
    entry, key, fields = parse_bibtex(bibtex(record()))
    assert entry == "techreport" and key == "bridges-result-7-v2"
    assert fields["title"] == "{Housing conditions of older tenants in Graz}"
    assert fields["author"] == "Berger, Anna and Koch, Bruno and {Housing rights monitor Graz}"
    assert fields["year"] == "2025" and fields["version"] == "2" and fields["doi"] == "10.1234/bridges.7"
    assert fields["url"] == "https://bridges.example.org/results/housing/v/2/"


def test_bibtex_escapes_hostile_titles_and_keeps_unicode():
    text = bibtex(record(title=HOSTILE, creators=(Creator('O"Brien {Evil}'),)))
    _entry, _key, fields = parse_bibtex(text)  # braces balance, so the entry parses
    title = fields["title"]
    assert r"\{caps\}" in title and r"\&" in title and r"100\%" in title and r"\$income\_\#1" in title
    assert r"\textbackslash{}end\{document\}" in title and "{\\textquotedbl}quotes{\\textquotedbl}" in title
    assert "Zürich, Łódź, 東京" in title
    assert "\x00" not in text and "\x1b" not in text
    assert "{\\textquotedbl}" in fields["author"]


@pytest.mark.parametrize("text", ["}", "{", "\\", "}{", "a}b{c", "\\}", "%", '"'])
def test_bibtex_escape_always_balances(text):
    escaped = bibtex_escape(text)
    depth = 0
    i = 0
    while i < len(escaped):
        if escaped[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(escaped[i], 0)
        assert depth >= 0
        i += 1
    assert depth == 0


def test_ris_has_one_tag_per_line_from_ty_to_er():
    text = ris(record(title=HOSTILE + "\nsecond line"))
    lines = text.split("\r\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines), lines
    assert lines[0] == "TY  - RPRT" and lines[-1] == "ER  - "
    tags = dict(line.split("  - ", 1) for line in lines if not line.startswith("AU"))
    assert tags["ET"] == "2" and tags["DO"] == "10.1234/bridges.7" and tags["PY"] == "2025"
    assert [line for line in lines if line.startswith("AU")] == [
        "AU  - Berger, Anna",
        "AU  - Koch, Bruno",
        "AU  - Housing rights monitor Graz",
    ]
    assert "second line" in tags["TI"] and "東京" in tags["TI"]


def test_csl_json_is_valid_json_with_the_required_fields():
    items = json.loads(csl_json_text(record(title=HOSTILE)))
    assert isinstance(items, list) and len(items) == 1
    item = items[0]
    assert {"id", "type", "title"} <= set(item)
    assert item["type"] == "report" and item["version"] == "2" and item["DOI"] == "10.1234/bridges.7"
    assert item["issued"] == {"date-parts": [[2025, 3, 14]]}
    assert item["author"][0] == {"family": "Berger", "given": "Anna"}
    assert item["author"][2] == {"literal": "Housing rights monitor Graz"}
    assert "東京" in item["title"]


def test_csl_types_follow_the_kind():
    assert csl_json(record(kind="dataset"))[0]["type"] == "dataset"
    assert csl_json(record(kind="article"))[0]["type"] == "article-journal"


def test_datacite_xml_is_well_formed_with_the_kernel_4_required_elements():
    xml = datacite_xml(record(title=HOSTILE), doi="10.5072/bridges.result.7.v2")
    assert datacite_problems(xml) == []
    root = ET.fromstring(xml)
    for tag in DATACITE_REQUIRED:
        assert root.find(f"d:{tag}", NS) is not None, tag
    assert root.find("d:identifier", NS).text == "10.5072/bridges.result.7.v2"
    assert root.find("d:identifier", NS).get("identifierType") == "DOI"
    assert root.find("d:version", NS).text == "2"
    assert root.find("d:publicationYear", NS).text == "2025"
    assert root.find("d:resourceType", NS).get("resourceTypeGeneral") == "Report"
    assert "東京" in root.find("d:titles/d:title", NS).text
    creator = root.find("d:creators/d:creator", NS)
    assert creator.find("d:creatorName", NS).text == "Berger, Anna"
    assert creator.find("d:nameIdentifier", NS).text == "https://orcid.org/0000-0002-1825-0097"
    assert root.findall("d:creators/d:creator/d:creatorName", NS)[2].get("nameType") == "Organizational"
    related = root.findall("d:relatedIdentifiers/d:relatedIdentifier", NS)
    assert [(r.text, r.get("relationType")) for r in related] == [
        ("https://bridges.example.org/results/housing/v/1/", "IsNewVersionOf")
    ]
    rights = root.find("d:rightsList/d:rights", NS)
    assert rights.get("rightsURI") == "https://spdx.org/licenses/CC-BY-4.0.html"
    assert root.find("d:descriptions/d:description", NS).get("descriptionType") == "Abstract"


def test_datacite_first_version_points_to_the_newer_one():
    xml = datacite_xml(record(version=1), doi="10.5072/x")
    related = ET.fromstring(xml).findall("d:relatedIdentifiers/d:relatedIdentifier", NS)
    assert [r.get("relationType") for r in related] == ["IsPreviousVersionOf"]


def test_datacite_problems_name_what_is_missing():
    xml = datacite_xml(record(), doi="10.5072/x")
    root = ET.fromstring(xml)
    root.remove(root.find("d:publisher", NS))
    root.find("d:identifier", NS).text = "not-a-doi"
    problems = datacite_problems(ET.tostring(root))
    assert "missing publisher" in problems and "identifier must be a DOI" in problems
    assert datacite_problems(b"<resource") and "not well-formed" in datacite_problems(b"<resource")[0]


def test_formatted_citation_reads_like_apa():
    text = formatted(record())
    assert text.startswith("Berger, A., Koch, B., & Housing rights monitor Graz (2025).")
    assert (
        "Housing conditions of older tenants in Graz (Version 2) [Report]. Bridges. https://doi.org/10.1234/bridges.7"
        in text
    )
    assert formatted(record(doi="", date=None)).endswith("https://bridges.example.org/results/housing/v/2/")
    assert "(n.d.)" in formatted(record(date=None))
