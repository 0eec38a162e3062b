"""Writing CSV safely: spreadsheet formulas neutralised, rows streamed rather than built in memory."""

import csv
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEGATIVE_NUMBER = re.compile(r"-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def csv_safe(value: Any, *, data: bool = False) -> str:
    """The cell text of ``value``; text a spreadsheet would run as a formula (= + - @ tab CR) is prefixed with '.

    ``data=True`` (data files: dataset rows, indicator values) keeps a plain negative number such as ``-3.5`` as it
    is: a spreadsheet reads it as a number, and a prefix would turn the value into text.
    """
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not (data and NEGATIVE_NUMBER.fullmatch(text)):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose ``write`` returns the line, so that ``csv.writer`` produces strings to yield."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]], *, data: bool = False) -> Iterator[str]:
    """The CSV text line by line (RFC 4180: CRLF): the header, then each row, every cell through ``csv_safe``."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow([csv_safe(name, data=data) for name in header])
    for row in rows:
        yield writer.writerow([csv_safe(cell, data=data) for cell in row])


def stream_csv(
    filename: str, header: list[str], rows: Iterable[Iterable[Any]], *, data: bool = False
) -> StreamingHttpResponse:
    """A UTF-8 CSV download produced while it is sent (rows is typically a generator over ``queryset.iterator()``)."""
    response = StreamingHttpResponse(csv_lines(header, rows, data=data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
