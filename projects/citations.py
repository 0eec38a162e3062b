"""Citations of results and datasets: formatted (APA-like), BibTeX, RIS, CSL-JSON and DataCite XML (kernel-4).

Pure: a ``Citable`` holds the facts; each function renders one format. No network anywhere: the DataCite
XML is what a deployment sends to its own DataCite account to mint or update a DOI (see docs/citations.md).
"""

import dataclasses
import datetime as dt
import json
import re
import unicodedata
from xml.etree import ElementTree as ET

DATACITE_NS = "http://datacite.org/schema/kernel-4"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
DATACITE_SCHEMA = "http://datacite.org/schema/kernel-4 http://schema.datacite.org/meta/kernel-4/metadata.xsd"
# The elements DataCite requires in every record (kernel-4, "mandatory properties").
DATACITE_REQUIRED = ("identifier", "creators", "titles", "publisher", "publicationYear", "resourceType")

# Result kinds → (BibTeX entry, RIS type, CSL type, DataCite resourceTypeGeneral).
TYPES = {
    "article": ("article", "JOUR", "article-journal", "JournalArticle"),
    "report": ("techreport", "RPRT", "report", "Report"),
    "policy_brief": ("techreport", "RPRT", "report", "Report"),
    "tool": ("misc", "COMP", "software", "Software"),
    "dataset": ("misc", "DATA", "dataset", "Dataset"),
    "other": ("misc", "GEN", "document", "Text"),
}


@dataclasses.dataclass(frozen=True)
class Creator:
    name: str
    affiliation: str = ""
    orcid: str = ""
    organisation: bool = False


@dataclasses.dataclass(frozen=True)
class VersionLink:
    number: int
    url: str


@dataclasses.dataclass(frozen=True)
class Citable:
    """What every format needs to know about one version of a result or dataset."""

    key: str  # a stable BibTeX key, e.g. "bridges-result-12-v2"
    kind: str  # a key of TYPES
    title: str
    creators: tuple[Creator, ...]
    publisher: str
    url: str
    version: int
    date: dt.date | None = None
    doi: str = ""
    abstract: str = ""
    language: str = ""
    licence: str = ""  # SPDX id
    resource_label: str = ""  # the human name of the kind, e.g. "Policy brief"
    container: str = ""  # the partnership, shown as where it comes from
    versions: tuple[VersionLink, ...] = ()
    accessed: dt.date | None = None

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""


def _clean(text: str) -> str:
    """One line: control characters and runs of spaces removed (input is never trusted)."""
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text or "")
    return re.sub(r"\s+", " ", text).strip()


def _split_name(name: str) -> tuple[str, str]:
    """(family, given) from "Given Family" or "Family, Given"."""
    name = _clean(name)
    if "," in name:
        family, given = name.split(",", 1)
        return family.strip(), given.strip()
    parts = name.rsplit(" ", 1)
    return (parts[1], parts[0]) if len(parts) == 2 else (name, "")


def _initials(given: str) -> str:
    return " ".join(f"{part[0]}." for part in re.split(r"[\s]+", given) if part)


# --- Formatted (APA-like) ---------------------------------------------------------------------------------------


def formatted(c: Citable) -> str:
    """Author, A. B., & Author, C. (2025). Title (Version 2) [Report]. Publisher. https://doi.org/…"""
    names = []
    for creator in c.creators:
        if creator.organisation:
            names.append(_clean(creator.name))
            continue
        family, given = _split_name(creator.name)
        names.append(f"{family}, {_initials(given)}".strip().rstrip(","))
    if len(names) > 1:
        authors = ", ".join(names[:-1]) + ", & " + names[-1]
    else:
        authors = names[0] if names else _clean(c.publisher)
    year = str(c.year) if c.year else "n.d."
    label = f" [{_clean(c.resource_label)}]" if c.resource_label else ""
    link = c.doi_url or c.url
    return f"{authors} ({year}). {_clean(c.title)} (Version {c.version}){label}. {_clean(c.publisher)}. {link}"


# --- BibTeX ------------------------------------------------------------------------------------------------------

_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    '"': "{\\textquotedbl}",
}


def bibtex_escape(text: str) -> str:
    """Text that a BibTeX reader keeps as typed: LaTeX specials escaped, braces always balanced.

    Unicode stays as it is (biber and modern BibTeX read UTF-8).
    """
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in _clean(text))


def _bibtex_key(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_:-]", "-", key) or "bridges"


def bibtex(c: Citable) -> str:
    entry = TYPES.get(c.kind, TYPES["other"])[0]
    people = [
        f"{{{bibtex_escape(x.name)}}}" if x.organisation else bibtex_escape(_bibtex_name(x.name)) for x in c.creators
    ]
    fields = [("title", "{" + bibtex_escape(c.title) + "}")]
    if people:
        fields.append(("author", " and ".join(people)))
    if c.year:
        fields.append(("year", str(c.year)))
    if c.date:
        fields.append(("date", c.date.isoformat()))
    fields.append(("publisher", bibtex_escape(c.publisher)))
    if entry == "techreport":
        fields.append(("institution", bibtex_escape(c.container or c.publisher)))
    if entry == "article" and c.container:
        fields.append(("journal", bibtex_escape(c.container)))
    fields.append(("version", str(c.version)))
    if c.doi:
        fields.append(("doi", bibtex_escape(c.doi)))
    fields.append(("url", _bibtex_url(c.url)))
    if c.language:
        fields.append(("language", bibtex_escape(c.language)))
    if c.licence:
        fields.append(("copyright", bibtex_escape(c.licence)))
    if c.abstract:
        fields.append(("abstract", bibtex_escape(c.abstract)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry}{{{_bibtex_key(c.key)},\n{body}\n}}\n"


def _bibtex_name(name: str) -> str:
    family, given = _split_name(name)
    return f"{family}, {given}" if given else family


def _bibtex_url(url: str) -> str:
    # URLs are read verbatim by the url package; only braces and spaces could break the entry.
    return re.sub(r"[{}\s\\]", "", url)


# --- RIS ---------------------------------------------------------------------------------------------------------


def ris(c: Citable) -> str:
    lines = [("TY", TYPES.get(c.kind, TYPES["other"])[1])]
    for creator in c.creators:
        lines.append(("AU", _clean(creator.name) if creator.organisation else _bibtex_name(creator.name)))
    lines.append(("TI", _clean(c.title)))
    if c.year:
        lines.append(("PY", str(c.year)))
    if c.date:
        lines.append(("DA", c.date.strftime("%Y/%m/%d")))
    lines.append(("PB", _clean(c.publisher)))
    if c.container:
        lines.append(("T2", _clean(c.container)))
    lines.append(("ET", str(c.version)))
    if c.doi:
        lines.append(("DO", c.doi))
    lines.append(("UR", c.url))
    if c.language:
        lines.append(("LA", c.language))
    if c.abstract:
        lines.append(("AB", _clean(c.abstract)))
    if c.licence:
        lines.append(("C1", c.licence))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


# --- CSL-JSON ----------------------------------------------------------------------------------------------------


def csl_json(c: Citable) -> list[dict]:
    """A CSL-JSON array with one item (the form citeproc, Zotero and pandoc read)."""
    authors = []
    for creator in c.creators:
        if creator.organisation:
            authors.append({"literal": _clean(creator.name)})
        else:
            family, given = _split_name(creator.name)
            authors.append({"family": family, "given": given} if given else {"literal": family})
    item = {
        "id": c.key,
        "type": TYPES.get(c.kind, TYPES["other"])[2],
        "title": _clean(c.title),
        "author": authors,
        "publisher": _clean(c.publisher),
        "version": str(c.version),
        "URL": c.url,
    }
    if c.date:
        item["issued"] = {"date-parts": [[c.date.year, c.date.month, c.date.day]]}
    if c.doi:
        item["DOI"] = c.doi
    if c.abstract:
        item["abstract"] = c.abstract
    if c.language:
        item["language"] = c.language
    if c.container:
        item["container-title"] = _clean(c.container)
    if c.accessed:
        item["accessed"] = {"date-parts": [[c.accessed.year, c.accessed.month, c.accessed.day]]}
    return [item]


def csl_json_text(c: Citable) -> str:
    return json.dumps(csl_json(c), ensure_ascii=False, indent=2) + "\n"


# --- DataCite XML (kernel-4) -------------------------------------------------------------------------------------


def _sub(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{DATACITE_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def datacite_xml(c: Citable, *, doi: str) -> bytes:
    """The record in DataCite Metadata Schema 4 (kernel-4); ``doi`` is the record's DOI or the one to mint."""
    ET.register_namespace("", DATACITE_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(f"{{{DATACITE_NS}}}resource", {f"{{{XSI_NS}}}schemaLocation": DATACITE_SCHEMA})
    _sub(root, "identifier", doi, identifierType="DOI")
    creators = _sub(root, "creators")
    for person in c.creators or (Creator(c.publisher, organisation=True),):
        creator = _sub(creators, "creator")
        if person.organisation:
            _sub(creator, "creatorName", _clean(person.name), nameType="Organizational")
        else:
            family, given = _split_name(person.name)
            _sub(
                creator, "creatorName", _clean(person.name) if not given else f"{family}, {given}", nameType="Personal"
            )
            if given:
                _sub(creator, "givenName", given)
            _sub(creator, "familyName", family)
            if person.orcid:
                _sub(
                    creator,
                    "nameIdentifier",
                    f"https://orcid.org/{person.orcid}",
                    nameIdentifierScheme="ORCID",
                    schemeURI="https://orcid.org",
                )
        if person.affiliation:
            _sub(creator, "affiliation", _clean(person.affiliation))
    titles = _sub(root, "titles")
    _sub(titles, "title", _clean(c.title))
    _sub(root, "publisher", _clean(c.publisher))
    _sub(root, "publicationYear", str(c.year or dt.date.today().year))
    general = TYPES.get(c.kind, TYPES["other"])[3]
    _sub(root, "resourceType", _clean(c.resource_label) or general, resourceTypeGeneral=general)
    if c.date:
        dates = _sub(root, "dates")
        _sub(dates, "date", c.date.isoformat(), dateType="Issued")
    if c.language:
        _sub(root, "language", c.language)
    alternates = _sub(root, "alternateIdentifiers")
    _sub(alternates, "alternateIdentifier", c.url, alternateIdentifierType="URL")
    others = [v for v in c.versions if v.number != c.version]
    if others:
        related = _sub(root, "relatedIdentifiers")
        for other in others:
            relation = "IsNewVersionOf" if other.number < c.version else "IsPreviousVersionOf"
            _sub(related, "relatedIdentifier", other.url, relatedIdentifierType="URL", relationType=relation)
    _sub(root, "version", str(c.version))
    if c.licence:
        rights = _sub(root, "rightsList")
        _sub(
            rights,
            "rights",
            c.licence,
            rightsURI=f"https://spdx.org/licenses/{c.licence}.html",
            rightsIdentifier=c.licence.lower(),
            rightsIdentifierScheme="SPDX",
        )
    if c.abstract:
        descriptions = _sub(root, "descriptions")
        _sub(descriptions, "description", c.abstract, descriptionType="Abstract")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def datacite_problems(xml: bytes) -> list[str]:
    """What a DataCite kernel-4 record lacks of the mandatory properties (empty: it can be sent)."""
    try:
        root = ET.fromstring(xml)  # noqa: S314 — our own output, parsed to check it
    except ET.ParseError as error:
        return [f"not well-formed: {error}"]
    problems = []
    if root.tag != f"{{{DATACITE_NS}}}resource":
        problems.append("the root element is not a kernel-4 resource")
    ns = {"d": DATACITE_NS}
    for tag in DATACITE_REQUIRED:
        if root.find(f"d:{tag}", ns) is None:
            problems.append(f"missing {tag}")
    identifier = root.find("d:identifier", ns)
    if identifier is not None and (
        identifier.get("identifierType") != "DOI" or not (identifier.text or "").startswith("10.")
    ):
        problems.append("identifier must be a DOI")
    if not root.findall("d:creators/d:creator/d:creatorName", ns):
        problems.append("missing creatorName")
    if not [t for t in root.findall("d:titles/d:title", ns) if (t.text or "").strip()]:
        problems.append("missing title")
    year = root.find("d:publicationYear", ns)
    if year is not None and not re.fullmatch(r"\d{4}", year.text or ""):
        problems.append("publicationYear must be four digits")
    resource = root.find("d:resourceType", ns)
    if resource is not None and not resource.get("resourceTypeGeneral"):
        problems.append("resourceType needs resourceTypeGeneral")
    return problems
