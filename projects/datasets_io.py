"""Reading uploaded CSV files: spooling, encoding and delimiter detection, normalisation, schema and identifier checks.

Pure functions over files on disk (no ORM), except ``iter_rows``, ``public_rows`` and ``complementary_cells``,
which read a stored ``Dataset``. The stored file is always the *normalised* one: UTF-8 without BOM, comma-delimited, header first,
"\\n" line endings; everything here streams, so a 50 MB upload is never held in memory.
"""

import codecs
import csv
import hashlib
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.core.cache import cache
from django.utils.translation import gettext as _

from projects import suppression

CHUNK = 1024 * 1024
SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
SAMPLE_ROWS = 1000  # rows kept for identifier checks and the preview of the review step
MAX_COLUMNS = 500
MAX_FIELD = 1024 * 1024
MAX_BAD_LINES = 5
TYPES = ("integer", "number", "date", "boolean", "string")

# What other formats begin with: refused with a hint rather than read as text.
MAGIC = {
    b"PK\x03\x04": "a ZIP archive or an Excel/OpenDocument spreadsheet",
    b"\xd0\xcf\x11\xe0": "an old Excel or Word file",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "a program",
    b"\x1f\x8b": "a gzip archive",
}


class CSVProblem(ValueError):
    """A file that cannot be read as a CSV table; ``str()`` is the message for the uploader."""


@dataclass
class Normalised:
    """A normalised copy of an upload in a temporary file, with what was learnt while reading it."""

    path: str
    encoding: str
    delimiter: str
    header: list[str]
    row_count: int
    size: int
    sha256: str
    sample: list[list[str]] = field(default_factory=list)
    schema: list[dict] = field(default_factory=list)
    identifiers: list[dict] = field(default_factory=list)

    def discard(self) -> None:
        if self.path and os.path.exists(self.path):
            os.unlink(self.path)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def spool(upload, *, max_bytes: int) -> str:
    """Copy an uploaded file chunk by chunk to a temporary file; refuse it once it passes ``max_bytes``."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise CSVProblem(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it or leave out columns you do not need.")
            % {"size": megabytes(size), "limit": megabytes(max_bytes)}
        )
    handle = tempfile.NamedTemporaryFile(prefix="dataset-upload-", suffix=".csv", delete=False)
    written = 0
    try:
        with handle:
            for chunk in upload.chunks(CHUNK) if hasattr(upload, "chunks") else iter(lambda: upload.read(CHUNK), b""):
                written += len(chunk)
                if written > max_bytes:
                    raise CSVProblem(
                        _("The file is larger than the limit of %(limit)s MB. Split it or leave out columns.")
                        % {"limit": megabytes(max_bytes)}
                    )
                handle.write(chunk)
    except BaseException:
        os.unlink(handle.name)
        raise
    return handle.name


def binary_kind(head: bytes) -> str | None:
    """What a file that is not text looks like (e.g. "a PDF document"), or None for text."""
    for magic, kind in MAGIC.items():
        if head.startswith(magic):
            return kind
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if b"\x00" in head:
        return "a binary file"
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 13, 12))
    if head and controls / len(head) > 0.05:
        return "a binary file"
    return None


def detect_encoding(path: str) -> str:
    """utf-8-sig or utf-16 when the file says so or decodes cleanly, else Windows-1252, else Latin-1."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as handle:
                for chunk in iter(lambda: handle.read(CHUNK), b""):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"  # decodes any byte sequence


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV sample among , ; tab |: csv.Sniffer first, then the most consistent column count."""
    sample = text[: text.rfind("\n")] if "\n" in text else text
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    if delimiter in DELIMITERS and delimiter:
        return delimiter
    best, best_score = ",", (0, 0)
    for candidate in DELIMITERS:
        rows = [row for row in islice(csv.reader(io.StringIO(sample), delimiter=candidate), 50) if row]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = (sum(1 for row in rows if len(row) == width), width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _check_header(header: list[str]) -> list[str]:
    names = [name.strip() for name in header]
    while len(names) > 1 and names[-1] == "":  # a trailing delimiter in the header row
        names.pop()
    if not any(names):
        raise CSVProblem(_("The file has no header row: the first line must name the columns."))
    if len(names) > MAX_COLUMNS:
        raise CSVProblem(
            _("The file has %(n)s columns; at most %(max)s are supported.") % {"n": len(names), "max": MAX_COLUMNS}
        )
    for position, name in enumerate(names, start=1):
        if not name:
            raise CSVProblem(
                _("Column %(n)s has no name in the header row. Every column needs a name.") % {"n": position}
            )
    seen: set[str] = set()
    for name in names:
        if name.lower() in seen:
            raise CSVProblem(_("The column name “%(name)s” appears twice in the header row.") % {"name": name})
        seen.add(name.lower())
    return names


class _TypeGuesser:
    """Narrows each column's type as rows stream past; also remembers if an integer column went negative."""

    INTEGER = re.compile(r"^[+-]?\d+$")
    NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
    DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    BOOLEAN = frozenset({"true", "false", "yes", "no"})

    def __init__(self, width: int):
        self.candidates = [set(TYPES) for _ in range(width)]
        self.negative = [False] * width
        self.filled = [False] * width

    def add(self, row: list[str]) -> None:
        for index, value in enumerate(row):
            value = value.strip()
            if not value:
                continue
            self.filled[index] = True
            candidates = self.candidates[index]
            if len(candidates) == 1:
                continue
            if "integer" in candidates:
                if self.INTEGER.match(value):
                    if value.startswith("-"):
                        self.negative[index] = True
                else:
                    candidates.discard("integer")
            if "number" in candidates and not self.NUMBER.match(value):
                candidates.discard("number")
            if "date" in candidates and not self.DATE.match(value):
                candidates.discard("date")
            if "boolean" in candidates and value.lower() not in self.BOOLEAN:
                candidates.discard("boolean")

    def type_of(self, index: int) -> str:
        if not self.filled[index]:
            return "string"
        return next(t for t in TYPES if t in self.candidates[index])


NOT_COUNT = re.compile(r"(year|jahr|ano|annee|anno|^id$|_id$|code|age|edad|alter|zip|postal|plz|month|mes|monat)")


def infer_schema(header: list[str], guesser: _TypeGuesser) -> list[dict]:
    """Name, type, an empty description and whether the column holds counts (non-negative integers, not years)."""
    schema = []
    for index, name in enumerate(header):
        kind = guesser.type_of(index)
        is_count = kind == "integer" and not guesser.negative[index] and not NOT_COUNT.search(_plain(name))
        schema.append({"name": name, "type": kind, "description": "", "is_count": is_count})
    return schema


def normalise(path: str, *, original_name: str = "") -> Normalised:
    """Read the CSV at ``path`` in whatever encoding and delimiter it uses, write the normalised copy, learn from it.

    Raises CSVProblem, with a message for the uploader, for binary or empty files, a missing header, ragged rows.
    """
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head.strip():
        raise CSVProblem(_("The file is empty: it needs a header row naming the columns and at least one row of data."))
    kind = binary_kind(head)
    if kind is not None:
        raise CSVProblem(
            _(
                "This is not a text CSV file: it looks like %(kind)s. Export the table as CSV (comma or semicolon separated) and upload that."
            )
            % {"kind": _(kind)}
        )
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as text:
        delimiter = sniff_delimiter(text.read(SNIFF_BYTES))

    csv.field_size_limit(MAX_FIELD)
    output = tempfile.NamedTemporaryFile(
        "w", prefix="dataset-normalised-", suffix=".csv", delete=False, encoding="utf-8", newline=""
    )
    try:
        with open(path, encoding=encoding, newline="") as source, output:
            reader = csv.reader(source, delimiter=delimiter)
            writer = csv.writer(output, lineterminator="\n")
            header = None
            for row in reader:
                if any(cell.strip() for cell in row):
                    header = _check_header(row)
                    break
            if header is None:
                raise CSVProblem(_("The file is empty: it has no header row and no data."))
            width = len(header)
            writer.writerow(header)
            guesser = _TypeGuesser(width)
            sample: list[list[str]] = []
            bad: list[str] = []
            row_count = 0
            for row in reader:
                if not row or not any(cell.strip() for cell in row):
                    continue  # blank lines carry nothing
                if len(row) > width and not any(cell.strip() for cell in row[width:]):
                    row = row[:width]  # trailing delimiters, as spreadsheets often write
                if len(row) != width:
                    if len(bad) < MAX_BAD_LINES:
                        bad.append(_("line %(line)s has %(n)s fields") % {"line": reader.line_num, "n": len(row)})
                    else:
                        break
                    continue
                row_count += 1
                writer.writerow(row)
                guesser.add(row)
                if len(sample) < SAMPLE_ROWS:
                    sample.append(row)
    except csv.Error as error:
        os.unlink(output.name)
        raise CSVProblem(
            _("The file could not be read as CSV near line %(line)s (%(error)s).")
            % {"line": reader.line_num, "error": error}
        )
    except BaseException:
        os.unlink(output.name)
        raise
    if bad:
        os.unlink(output.name)
        raise CSVProblem(
            _(
                "Some rows do not have the %(width)s fields of the header row: %(lines)s. Fix these rows and upload again."
            )
            % {"width": width, "lines": "; ".join(bad)}
        )
    if row_count == 0:
        os.unlink(output.name)
        raise CSVProblem(_("The file has a header row but no rows of data."))
    digest, size = hashlib.sha256(), 0
    with open(output.name, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return Normalised(
        path=output.name,
        encoding="utf-8" if encoding == "utf-8-sig" else encoding,
        delimiter=delimiter,
        header=header,
        row_count=row_count,
        size=size,
        sha256=digest.hexdigest(),
        sample=sample,
        schema=infer_schema(header, guesser),
        identifiers=find_identifiers(header, sample),
    )


# --- Direct identifiers ------------------------------------------------------------------------------------------


def _plain(name: str) -> str:
    """A column name lower-cased, without accents, words split on punctuation and camelCase: "FechaNacimiento" →
    "fecha nacimiento"."""
    name = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.split(r"[^a-z0-9]+", name.lower())).strip()


# Patterns over the plain column name (see ``_plain``), in English, Spanish, French and German.
NAME_PATTERNS: list[tuple[re.Pattern, str]] = [
    (
        re.compile(r"\b(e ?mail|email address|correo( electronico)?|courriel|mail|e mail adresse)\b"),
        "the column name suggests email addresses",
    ),
    (
        re.compile(r"\b(phone|telephone|tel|mobile|movil|telefono|celular|portable|telefon|handy|mobilnummer)\b"),
        "the column name suggests phone numbers",
    ),
    (
        re.compile(
            r"^(name|names|full ?name|first ?name|last ?name|given ?name|family ?name|surname|forename|middle name|"
            r"person name|respondent name|nombre|nombres|nombre y apellidos|nombre completo|apellido|apellidos|"
            r"primer apellido|segundo apellido|nom|prenom|nom de famille|nom complet|vorname|nachname|familienname|"
            r"vollstandiger name)$"
        ),
        "the column name suggests people's names",
    ),
    (
        re.compile(
            r"\b(dni|nif|nie|ssn|social security( number)?|passport|pasaporte|passeport|reisepass|national ?id|"
            r"national identity|id card|id number|identity number|documento de identidad|numero de documento|"
            r"carte d identite|numero de securite sociale|nir|personalausweis|ausweisnummer|"
            r"sozialversicherungsnummer|svnr|steuer ?id|tax id|curp|cpf|nhs number)\b"
        ),
        "the column name suggests national identity or passport numbers",
    ),
    (
        re.compile(
            r"\b(dob|d o b|date of birth|birth ?date|birthday|born|fecha de nacimiento|fecha nacimiento|"
            r"nacimiento|date de naissance|naissance|geburtsdatum|geburtstag|geboren)\b"
        ),
        "the column name suggests dates of birth",
    ),
    (
        re.compile(r"\b(home address|street address|postal address|direccion|domicilio|adresse|anschrift)\b"),
        "the column name suggests home addresses",
    ),
]

EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[A-Za-z]{2,}$")
PHONE = re.compile(r"^(\+|00)?[\d\s().\-/]{7,20}$")
DNI = re.compile(r"^(\d{8})-?([A-Za-z])$")
NIE = re.compile(r"^([XYZxyz])-?(\d{7})-?([A-Za-z])$")
SSN = re.compile(r"^\d{3}-\d{2}-\d{4}$")
EXACT_DATE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})$")
DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def _is_phone(value: str) -> bool:
    if not PHONE.match(value):
        return False
    digits = re.sub(r"\D", "", value)
    if not 9 <= len(digits) <= 15:
        return False
    # Plain long integers are more often counts or codes than phone numbers: ask for a prefix or separators.
    return value.startswith(("+", "0")) or bool(re.search(r"[\s()\-/.]", value))


def _is_national_id(value: str) -> bool:
    match = DNI.match(value)
    if match:
        return DNI_LETTERS[int(match.group(1)) % 23] == match.group(2).upper()
    match = NIE.match(value)
    if match:
        number = int(str("XYZ".index(match.group(1).upper())) + match.group(2))
        return DNI_LETTERS[number % 23] == match.group(3).upper()
    return bool(SSN.match(value))


def find_identifiers(header: list[str], rows: list[list[str]]) -> list[dict]:
    """Columns that look like direct identifiers, by name or by the values of a sample: [{"column", "reason"}]."""
    findings = []
    for index, name in enumerate(header):
        plain = _plain(name)
        reasons = [reason for pattern, reason in NAME_PATTERNS if pattern.search(plain)]
        values = [row[index].strip() for row in rows if index < len(row) and row[index].strip()]
        checked = len(values)
        if checked:
            emails = sum(1 for v in values if EMAIL.match(v))
            if emails:
                reasons.append(f"{emails} of {checked} values checked are email addresses")
            phones = sum(1 for v in values if _is_phone(v))
            if phones and phones * 2 >= checked:
                reasons.append(f"{phones} of {checked} values checked look like phone numbers")
            ids = sum(1 for v in values if _is_national_id(v))
            if ids:
                reasons.append(
                    f"{ids} of {checked} values checked look like national ID numbers (e.g. a Spanish DNI or NIE, "
                    "a US social security number)"
                )
            if any("birth" in r for r in reasons):
                dates = sum(1 for v in values if EXACT_DATE.match(v))
                if dates:
                    reasons.append("its values are exact dates")
                elif all(re.fullmatch(r"\d{4}", v) for v in values):
                    # A year of birth alone is not a direct identifier; keep the column.
                    reasons = [r for r in reasons if "birth" not in r]
        if reasons:
            findings.append({"column": name, "reason": "; ".join(dict.fromkeys(reasons))})
    return findings


# --- Reading stored datasets ------------------------------------------------------------------------------------


def _open_text(dataset):
    dataset.file.open("rb")
    return io.TextIOWrapper(dataset.file.file, encoding="utf-8", newline="")


def iter_rows(dataset) -> Iterator[dict[str, str]]:
    """Every row of the stored (normalised) file as {column: value}, streamed."""
    if not dataset.file:
        return
    csv.field_size_limit(MAX_FIELD)
    text = _open_text(dataset)
    try:
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            return
        for row in reader:
            yield dict(zip(header, row, strict=False))
    finally:
        text.close()


def header_of(dataset) -> list[str]:
    names = [column["name"] for column in dataset.schema or [] if column.get("name")]
    if names or not dataset.file:
        return names
    rows = iter_rows(dataset)
    first = next(rows, None)
    rows.close()
    return list(first or [])


def count_columns(dataset) -> list[str]:
    return [column["name"] for column in dataset.schema or [] if column.get("is_count")]


def threshold_of(dataset) -> int:
    return suppression.effective_threshold(dataset.min_cell_count)


def table_columns(dataset) -> tuple[list[str], list[str]]:
    """(dimensions, counts): the columns that say what a row is about, and those it counts.

    Dimensions are text, dates, yes/no and whole numbers that name something (a year, a code, an age group);
    other numbers that are not counts are measures and do not identify a row."""
    dimensions, counts = [], []
    for column in dataset.schema or []:
        name, kind = column.get("name"), column.get("type", "string")
        if not name:
            continue
        if column.get("is_count"):
            counts.append(name)
        elif kind in ("string", "date", "boolean") or (kind == "integer" and NOT_COUNT.search(_plain(name))):
            dimensions.append(name)
    return dimensions, counts


COUNTED = "\x00column"  # the pseudo-dimension of a wide table: which count column a cell is in
HIDDEN_CACHE_SECONDS = 7 * 24 * 3600


def _has_totals(dataset, dimensions: list[str], counts: list[str]) -> bool:
    if any(suppression.is_total_label(name) for name in counts):
        return True
    rows = iter_rows(dataset)
    try:
        return any(suppression.is_total_label(row.get(name, "")) for row in rows for name in dimensions)
    finally:
        rows.close()


def _complementary(dataset, dimensions: list[str], counts: list[str], threshold: int) -> frozenset[tuple[int, str]]:
    if not _has_totals(dataset, dimensions, counts):
        return frozenset()  # no row or column adds up others: nothing can be worked out by subtraction
    places, coordinates, values = [], [], []
    for number, row in enumerate(iter_rows(dataset)):
        about = {name: row.get(name, "") for name in dimensions if not suppression.is_total_label(row.get(name, ""))}
        for name in counts:
            cell = dict(about)
            if not suppression.is_total_label(name):
                cell[COUNTED] = name  # a "Total" column adds up the other count columns of its row
            places.append((number, name))
            coordinates.append(cell)
            values.append(row.get(name, ""))
    hidden = suppression.hidden_cells(coordinates, values, threshold)
    return frozenset(places[i] for i in hidden if not suppression.is_suppressed(values[i], threshold))


def complementary_cells(dataset, *, threshold: int) -> frozenset[tuple[int, str]]:
    """(row number, column) of the counts hidden to protect a small one beside them, decided on the whole file.

    Rows labelled "Total", "All …" or left empty in a dimension are read as the sum of the rows they stand for,
    a count column named "Total" as the sum of the others; a small count must not follow from them by subtraction.
    Cached by the file's content, schema and threshold (a file is read once, not at every request)."""
    dimensions, counts = table_columns(dataset)
    if not counts or not dataset.file:
        return frozenset()
    digest = hashlib.sha256(repr((dataset.file.name, dataset.sha256, dimensions, counts)).encode()).hexdigest()
    key = f"suppression:dataset:{dataset.pk}:{threshold}:{digest[:32]}"
    cells = cache.get(key)
    if cells is None:
        cells = _complementary(dataset, dimensions, counts, threshold)
        cache.set(key, cells, HIDDEN_CACHE_SECONDS)
    return cells


def public_rows(
    dataset,
    *,
    offset: int = 0,
    limit: int | None = None,
    suppressed=suppression.SUPPRESSED,
    threshold: int | None = None,
) -> Iterator[dict[str, str | None]]:
    """Rows as the public may see them: small counts, and counts that would give one away, become ``suppressed``
    (None by default; pass ``suppression.label()`` for CSV and HTML). Decided on the whole file, whatever the page."""
    threshold = threshold_of(dataset) if threshold is None else threshold
    counts = count_columns(dataset)
    extra = complementary_cells(dataset, threshold=threshold) if counts else frozenset()
    stop = None if limit is None else offset + limit
    for number, row in enumerate(islice(iter_rows(dataset), offset, stop), start=offset):
        for name in counts:
            if name in row and (suppression.is_suppressed(row[name].strip(), threshold) or (number, name) in extra):
                row[name] = suppressed
        yield row


def typed(value: str | None, kind: str):
    """A cell as JSON: numbers and booleans typed by the schema, empty cells null, anything unparsable kept as text."""
    if value is None:
        return None
    text = value.strip()
    if text == "":
        return None
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            number = float(text)
            return number if number == number and abs(number) != float("inf") else text
    except ValueError:
        return value
    if kind == "boolean" and text.lower() in _TypeGuesser.BOOLEAN:
        return text.lower() in {"true", "yes"}
    return value


def schema_diff(old: list[dict], new: list[dict]) -> dict:
    """The columns a new file adds, removes, or gives another type, against the schema before (pure)."""
    before = {column["name"]: column.get("type", "string") for column in old or [] if column.get("name")}
    after = {column["name"]: column.get("type", "string") for column in new or [] if column.get("name")}
    return {
        "added": [name for name in after if name not in before],
        "removed": [name for name in before if name not in after],
        "changed": [
            {"name": name, "from": before[name], "to": kind}
            for name, kind in after.items()
            if name in before and before[name] != kind
        ],
    }


def carry_descriptions(old: list[dict], new: list[dict]) -> list[dict]:
    """The new file's schema, keeping the descriptions and count flags of columns whose name and type stayed."""
    before = {column["name"]: column for column in old or [] if column.get("name")}
    merged = []
    for column in new:
        previous = before.get(column["name"])
        if previous is not None and previous.get("type", "string") == column.get("type", "string"):
            column = {
                **column,
                "description": previous.get("description", ""),
                "is_count": bool(previous.get("is_count")),
            }
        merged.append(column)
    return merged
