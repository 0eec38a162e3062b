"""Reading CSV files: encodings, delimiters, ragged rows, empty and binary files, schema and identifier checks.

Pure functions over files on disk: no database.
"""

from pathlib import Path

import pytest

from projects import datasets_io

DATA = Path(__file__).parent / "data"


def normalised(path: Path) -> datasets_io.Normalised:
    result = datasets_io.normalise(str(path))
    return result


def read(result: datasets_io.Normalised) -> bytes:
    return Path(result.path).read_bytes()


@pytest.fixture
def write(tmp_path):
    def make(content: bytes, name: str = "upload.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(content)
        return path

    return make


def test_latin1_semicolon_file_becomes_utf8_comma_csv():
    result = normalised(DATA / "evictions_latin1_semicolon.csv")
    try:
        assert result.delimiter == ";"
        assert result.encoding in {"cp1252", "latin-1"}
        assert result.header == ["Bezirk", "Haushaltstyp", "Räumungen", "Jahr"]
        assert result.row_count == 3
        assert (
            read(result)
            == (
                "Bezirk,Haushaltstyp,Räumungen,Jahr\nInnere Stadt,Alleinerziehende,3,2023\n"
                "Gösting,Familie,12,2023\nLend,Einpersonen,0,2023\n"
            ).encode()
        )
    finally:
        result.discard()


def test_utf8_bom_is_dropped():
    result = normalised(DATA / "households_utf8_bom.csv")
    try:
        content = read(result)
        assert not content.startswith(b"\xef\xbb\xbf")
        assert content.decode().splitlines()[2] == "Gràcia,2,2023"
        assert result.encoding == "utf-8"
    finally:
        result.discard()


def test_inferred_schema_marks_non_negative_integers_as_counts_but_not_years():
    result = normalised(DATA / "evictions_latin1_semicolon.csv")
    result.discard()
    by_name = {c["name"]: c for c in result.schema}
    assert by_name["Bezirk"] == {"name": "Bezirk", "type": "string", "description": "", "is_count": False}
    assert by_name["Räumungen"]["type"] == "integer" and by_name["Räumungen"]["is_count"] is True
    assert by_name["Jahr"]["type"] == "integer" and by_name["Jahr"]["is_count"] is False


def test_types_are_narrowed_over_every_row(write):
    rows = "".join(f"{n},{n}.5,2024-01-{n % 28 + 1:02d},{'true' if n % 2 else 'false'},-{n}\n" for n in range(1, 60))
    result = normalised(write(("a,b,c,d,e\n" + rows + "x,1.5,2024-02-01,true,1\n").encode()))
    result.discard()
    assert [c["type"] for c in result.schema] == ["string", "number", "date", "boolean", "integer"]
    assert result.schema[4]["is_count"] is False  # negative values are no counts


@pytest.mark.parametrize(
    "content, delimiter",
    [
        (b"a\tb\tc\n1\t2\t3\n", "\t"),
        (b"a|b|c\n1|2|3\n", "|"),
        (b'a;b;c\n"1,5";2;3\n', ";"),
        (b"a,b,c\n1,2,3\n", ","),
    ],
)
def test_delimiter_is_sniffed(write, content, delimiter):
    result = normalised(write(content))
    result.discard()
    assert result.delimiter == delimiter
    assert result.header == ["a", "b", "c"]


def test_ragged_rows_are_refused_naming_the_lines():
    with pytest.raises(datasets_io.CSVProblem) as problem:
        normalised(DATA / "ragged.csv")
    message = str(problem.value)
    assert "line 3 has 3 fields" in message
    assert "line 4 has 1 fields" in message
    assert "2 fields of the header row" in message


def test_trailing_delimiters_from_spreadsheets_are_tolerated(write):
    result = normalised(write(b"a;b;\n1;2;\n3;4;;\n"))
    try:
        assert read(result) == b"a,b\n1,2\n3,4\n"
    finally:
        result.discard()


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_empty_file_is_refused(write, content):
    with pytest.raises(datasets_io.CSVProblem, match="The file is empty"):
        normalised(write(content))


def test_header_without_rows_is_refused(write):
    with pytest.raises(datasets_io.CSVProblem, match="no rows of data"):
        normalised(write(b"a,b\n"))


def test_binary_file_named_csv_is_refused():
    with pytest.raises(datasets_io.CSVProblem, match="not a text CSV file"):
        normalised(DATA / "binary.csv")


def test_spreadsheet_renamed_to_csv_is_refused_with_a_hint(write):
    with pytest.raises(datasets_io.CSVProblem, match="Excel"):
        normalised(write(b"PK\x03\x04" + b"\x00" * 100))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"a,,c\n1,2,3\n", "Column 2 has no name"),
        (b"a,b,A\n1,2,3\n", "appears twice"),
    ],
)
def test_header_problems_are_named(write, content, message):
    with pytest.raises(datasets_io.CSVProblem, match=message):
        normalised(write(content))


def test_utf16_from_spreadsheet_unicode_text_is_read(write):
    result = normalised(write("a\tb\nÄ\t1\n".encode("utf-16")))
    try:
        assert read(result) == "a,b\nÄ,1\n".encode()
    finally:
        result.discard()


def test_200000_rows_stream_through(write, tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("district;age_group;sex;persons\n")
        for n in range(200_000):
            handle.write(f"D{n % 73};{n % 9 * 10}-{n % 9 * 10 + 9};{'f' if n % 2 else 'm'};{n % 50}\n")
    result = normalised(path)
    try:
        assert result.row_count == 200_000
        assert result.delimiter == ";"
        assert len(result.sample) == datasets_io.SAMPLE_ROWS
        assert {c["name"]: c["is_count"] for c in result.schema} == {
            "district": False,
            "age_group": False,
            "sex": False,
            "persons": True,
        }
        with open(result.path, encoding="utf-8") as handle:
            assert sum(1 for _line in handle) == 200_001
    finally:
        result.discard()


def test_spool_refuses_files_over_the_limit_with_the_size_in_mb(tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("big.csv", b"a,b\n" + b"1,2\n" * 300_000)
    with pytest.raises(datasets_io.CSVProblem, match=r"1\.1 MB; the limit is 1 MB"):
        datasets_io.spool(upload, max_bytes=1024 * 1024)


# --- Identifiers ------------------------------------------------------------------------------------------------


def findings(header, rows):
    return {f["column"]: f["reason"] for f in datasets_io.find_identifiers(header, rows)}


def test_email_column_is_found_by_name_and_values():
    result = normalised(DATA / "with_email.csv")
    result.discard()
    assert [f["column"] for f in result.identifiers] == ["email"]
    assert "email addresses" in result.identifiers[0]["reason"]


def test_emails_hidden_in_an_innocent_column_are_found():
    assert (
        "2 of 3 values checked are email addresses"
        in findings(["contact"], [["a@b.org"], ["x"], ["c@d.es"]])["contact"]
    )


@pytest.mark.parametrize(
    "name",
    [
        "E-Mail",
        "correo electrónico",
        "Courriel",
        "phone",
        "Teléfono",
        "mobile",
        "Handy",
        "first_name",
        "Surname",
        "full name",
        "Nombre",
        "Apellidos",
        "Prénom",
        "Nachname",
        "DNI",
        "NIF",
        "nie",
        "SSN",
        "passport_number",
        "national_id",
        "date of birth",
        "DOB",
        "birth_date",
        "FechaNacimiento",
        "date_de_naissance",
        "Geburtsdatum",
    ],
)
def test_identifier_column_names_in_four_languages(name):
    assert name in findings([name], [])


@pytest.mark.parametrize(
    "name",
    ["district", "district_name", "households", "age_group", "sex", "year", "evictions", "count", "nationality"],
)
def test_ordinary_columns_are_not_identifiers(name):
    assert findings([name], [["12"], ["Ciutat Vella"]]) == {}


def test_spanish_dni_and_nie_with_valid_check_letters_are_found():
    assert "national ID" in findings(["doc"], [["12345678Z"], ["X1234567L"]])["doc"]
    assert findings(["code"], [["12345678A"]]) == {}  # wrong check letter: a code, not a DNI


def test_phone_numbers_are_found_but_plain_large_counts_are_not():
    assert (
        "phone numbers" in findings(["contact"], [["+34 600 123 456"], ["0316 872-0"], ["+43 664 1234567"]])["contact"]
    )
    assert findings(["population"], [["1234567890"], ["2345678901"]]) == {}


def test_birth_column_with_exact_dates_is_flagged_and_with_years_only_not():
    assert "exact dates" in findings(["birth_date"], [["1984-03-02"], ["02/03/1990"]])["birth_date"]
    assert findings(["year of birth"], [["1984"], ["1990"]]) == {}


# --- Suppression and typed values -------------------------------------------------------------------------------


def test_typed_values_for_json():
    assert datasets_io.typed("12", "integer") == 12
    assert datasets_io.typed("1.5", "number") == 1.5
    assert datasets_io.typed("", "integer") is None
    assert datasets_io.typed("n/a", "integer") == "n/a"
    assert datasets_io.typed("Yes", "boolean") is True
    assert datasets_io.typed(None, "integer") is None
