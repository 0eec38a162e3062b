"""Snippets with the matched words marked: everything is escaped first, only ``<mark>`` is added."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WORD = re.compile(r"[^\W_]+")
SNIPPET_CHARS = 220


def terms_of(query: str) -> list[str]:
    """The words of a query, lower-cased, without duplicates, in order (at most 12)."""
    seen: list[str] = []
    for word in WORD.findall(query.casefold()):
        if word not in seen:
            seen.append(word)
    return seen[:12]


def _pattern(terms: list[str]) -> re.Pattern | None:
    if not terms:
        return None
    # Prefixes match too ("hous" marks "housing"), as the database backend's search does.
    return re.compile(r"\b(" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")\w*", re.I)


def mark(text: str, terms: list[str]) -> SafeString:
    """``text`` escaped, with every word starting with a term wrapped in ``<mark>``."""
    pattern = _pattern(terms)
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippet(text: str, terms: list[str], *, length: int = SNIPPET_CHARS) -> SafeString:
    """A window of ``text`` around its first matched term (or its start), marked and escaped."""
    text = text or ""
    pattern = _pattern(terms)
    match = pattern.search(text) if pattern else None
    start = 0
    if match and match.start() > length // 3:
        start = text.rfind(" ", 0, match.start() - length // 3) + 1
    end = start + length
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    window = text[start:end]
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(escape(prefix) + mark(window, terms) + escape(suffix))


# Elasticsearch highlights with these markers; the text is escaped before they become <mark>.
PRE_TAG = "\ue000"
POST_TAG = "\ue001"


def from_markers(fragment: str) -> SafeString:
    """An Elasticsearch highlight fragment (plain text with private-use markers) as safe HTML."""
    return mark_safe(escape(fragment).replace(PRE_TAG, "<mark>").replace(POST_TAG, "</mark>"))
