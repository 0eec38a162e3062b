"""Writing CSV safely: spreadsheet formulas neutralised, rows streamed rather than built in memory."""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    """The cell text of ``value``; text a spreadsheet would run as a formula (= + - @ tab CR) is prefixed with '."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose ``write`` returns the line, so that ``csv.writer`` produces strings to yield."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The CSV text line by line: the header, then each row with every cell passed through ``csv_safe``."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow([csv_safe(name) for name in header])
    for row in rows:
        yield writer.writerow([csv_safe(cell) for cell in row])


def stream_csv(filename: str, header: list[str], rows: Iterable[Iterable[Any]]) -> StreamingHttpResponse:
    """A UTF-8 CSV download produced while it is sent (rows is typically a generator over ``queryset.iterator()``)."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
