"""Cells of a CSV, Excel or Parquet file as read, and the same cells written back.

The private half of :mod:`bluezones.sources.files`: it knows file formats
(encodings, separators, sheets, Parquet types) and nothing of measures. Every
reader returns the cells as Python objects in a frame whose index is the row
number a spreadsheet shows (header = row 1, first data row = 2), so errors
further on can name the row the user sees.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bluezones._atomic import atomic_path
from bluezones.errors import DataError
from bluezones.sources.validate import Decimal

__all__ = ["FIRST_DATA_ROW", "SUPPORTED_SUFFIXES", "is_blank", "read_cells", "write_cells"]

CSV_SEPARATORS = (",", ";", "\t", "|")
FIRST_DATA_ROW = 2  # the header is row 1, as in a spreadsheet
# NUL bytes in the first KB of a "text" file mean UTF-16 without a byte order mark.
NUL_PROBE_BYTES = 1024


def read_cells(
    path: Path, *, sheet: str | int | None, encoding: str, sep: str | None, where: dict[str, Any]
) -> pd.DataFrame:
    """All cells as read (object dtype), indexed by the row number a spreadsheet shows."""
    if not path.is_file():
        raise DataError("The file does not exist.", hint="Check the path.", **where)
    if path.stat().st_size == 0:
        raise DataError("The file is empty (0 bytes).", hint="Export the data again.", **where)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise DataError(
            f"Unsupported file type {path.suffix!r}.",
            hint=f"Save it as one of {', '.join(SUPPORTED_SUFFIXES)}.",
            **where,
        )
    if sheet is not None and reader is not _read_excel:
        raise DataError("sheet= applies to Excel files only.", hint="Leave sheet unset.", **where)
    frame = reader(path, sheet=sheet, encoding=encoding, sep=sep, where=where)
    blank = frame.map(is_blank).all(axis=1)
    frame = frame[~blank]
    if frame.empty:
        raise DataError(
            "The file has no data rows.", hint="Put the header in row 1, data below it.", **where
        )
    return frame


def _frame(header: list[Any], records: list[list[Any]], where: dict[str, Any]) -> pd.DataFrame:
    """Cells under ``header``; row numbers start at 2 (header = row 1)."""
    width = len(header)
    cells: list[list[Any]] = []
    for i, record in enumerate(records):
        if len(record) > width and any(not is_blank(v) for v in record[width:]):
            raise DataError(
                f"Row has {len(record)} fields but the header has {width}.",
                hint="Check the separator and quotes on this row (pass sep= if needed).",
                row=FIRST_DATA_ROW + i,
                **where,
            )
        cells.append(list(record[:width]) + [None] * (width - len(record)))
    index = pd.RangeIndex(FIRST_DATA_ROW, FIRST_DATA_ROW + len(cells), name="row")
    frame = pd.DataFrame(cells, columns=range(width), index=index, dtype=object)
    frame.columns = pd.Index(header, dtype=object)
    return frame


def _read_csv(
    path: Path, *, encoding: str, sep: str | None, where: dict[str, Any], **_: Any
) -> pd.DataFrame:
    data = path.read_bytes()
    text = _decode(data, encoding, sep, where)
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    sep = sep or _sniff(header_line)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    if not records or not any(v.strip() for v in records[0]):
        raise DataError("The file has no header row.", hint="Put the header in row 1.", **where)
    header, body = records[0], records[1:]
    if len(header) == 1:
        _reject_other_separator(header[0], sep, where)
    return _frame(header, [[v if v.strip() else None for v in r] for r in body], where)


def _decode(data: bytes, encoding: str, sep: str | None, where: dict[str, Any]) -> str:
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise DataError(
            f"Unknown encoding {encoding!r}.", hint="Use utf-8, cp1252 or latin-1.", **where
        ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and "16" not in codec:
        raise DataError(
            "The file is UTF-16 (it starts with a UTF-16 byte order mark).",
            hint="Pass encoding='utf-16', or save it as 'CSV UTF-8' in Excel.",
            **where,
        )
    if "16" not in codec and b"\x00" in data[:NUL_PROBE_BYTES]:
        raise DataError(
            "The file contains NUL bytes; it looks like UTF-16 text.",
            hint="Pass encoding='utf-16', or save it as 'CSV UTF-8' in Excel.",
            **where,
        )
    try:
        return data.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError as exc:
        row, column = _locate_byte(data, exc.start, sep)
        raise DataError(
            f"Byte 0x{data[exc.start]:02x} at byte offset {exc.start} is not valid {encoding}.",
            hint="The file is not in this encoding: save it as UTF-8, or pass "
            "encoding='cp1252' (Excel on Windows) or encoding='latin-1'.",
            row=row,
            column=column,
            **where,
        ) from None


def _locate_byte(data: bytes, offset: int, sep: str | None) -> tuple[int, str | None]:
    """Row number and column name of the byte at ``offset`` (best effort, for messages)."""
    row = data[:offset].count(b"\n") + 1
    lines = data.decode("utf-8", errors="replace").splitlines()
    header = lines[0] if lines else ""
    sep = sep or _sniff(header)
    line_start = data.rfind(b"\n", 0, offset) + 1
    position = data[line_start:offset].decode("utf-8", errors="replace").count(sep)
    names = header.lstrip("\ufeff").split(sep)
    return row, names[position].strip() if position < len(names) else None


def _sniff(header_line: str) -> str:
    """The separator that occurs most often in the header; ',' if none does."""
    counts = {s: header_line.count(s) for s in CSV_SEPARATORS}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _reject_other_separator(header: str, sep: str, where: dict[str, Any]) -> None:
    for other in CSV_SEPARATORS:
        if other != sep and other in header:
            raise DataError(
                f"The header is one column {header!r}; the file seems separated by {other!r}.",
                hint=f"Pass sep={other!r}, or leave sep unset to detect it.",
                row=1,
                **where,
            )


def _read_excel(
    path: Path, *, sheet: str | int | None, where: dict[str, Any], **_: Any
) -> pd.DataFrame:
    import openpyxl  # a heavy import only Excel files need
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # openpyxl's style-sheet chatter
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise DataError(
            f"Cannot open the workbook: {str(exc).rstrip('.')}.",
            hint="Save it as .xlsx from Excel.",
            **where,
        ) from None
    try:
        names = book.sheetnames
        if isinstance(sheet, int) and 0 <= sheet < len(names):
            sheet = names[sheet]
        if sheet is not None and sheet not in names:
            raise DataError(
                f"The workbook has no sheet {sheet!r}.",
                hint=f"Its sheets are: {', '.join(names)}.",
                sheet=sheet,
                **where,
            )
        ws = book[sheet if sheet is not None else names[0]]
        where["sheet"] = ws.title
        rows = [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
    finally:
        book.close()
    if not rows:
        raise DataError("The sheet is empty.", hint="Put the header in row 1.", **where)
    return _frame(rows[0], rows[1:], where)


def _read_parquet(path: Path, *, where: dict[str, Any], **_: Any) -> pd.DataFrame:
    import pyarrow as pa

    try:
        frame = pd.read_parquet(path)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(
            f"Cannot read the Parquet file: {str(exc).rstrip('.')}.",
            hint="Write it again with pandas.",
            **where,
        ) from None
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    records = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    return _frame([str(c) for c in frame.columns], records, where)


_READERS: dict[str, Callable[..., pd.DataFrame]] = {
    ".csv": _read_csv,
    ".txt": _read_csv,
    ".tsv": _read_csv,
    ".xlsx": _read_excel,
    ".xlsm": _read_excel,
    ".parquet": _read_parquet,
    ".pq": _read_parquet,
}
SUPPORTED_SUFFIXES = tuple(_READERS)


def write_cells(wide: pd.DataFrame, path: Path, *, decimal: Decimal = ".", sep: str = ",") -> None:
    """Write a frame of cells (numbers, strings, ``None``) in the format of ``path``'s suffix."""
    writer = _WRITERS.get(path.suffix.lower())
    if writer is None:
        raise DataError(
            f"Unsupported file type {path.suffix!r}.",
            hint=f"Use one of {', '.join(SUPPORTED_SUFFIXES)}.",
            file=path.name,
        )
    with atomic_path(path) as tmp:
        writer(wide, tmp, decimal=decimal, sep=sep)


def _write_csv(wide: pd.DataFrame, path: Path, *, decimal: Decimal, sep: str, **_: Any) -> None:
    def text(cell: object) -> str:
        if cell is None or isinstance(cell, str):
            return cell or ""
        return _number_text(cell).replace(".", decimal)

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=sep)
        writer.writerow(wide.columns)
        for record in wide.itertuples(index=False):
            writer.writerow([record[0], record[1], *(text(c) for c in record[2:])])


def _write_excel(wide: pd.DataFrame, path: Path, **_: Any) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append(list(wide.columns))
    for record in wide.itertuples(index=False):
        sheet.append([_excel_cell(c) for c in record])
    book.save(path)


def _write_parquet(wide: pd.DataFrame, path: Path, **_: Any) -> None:
    columns: dict[str, pd.Series] = {
        "region_code": wide["region_code"].astype(str),
        "year": wide["year"].astype("int64"),
    }
    for name in wide.columns[2:]:
        cells = wide[name]
        if cells.map(lambda c: isinstance(c, str)).any():
            as_text = cells.map(lambda c: c if c is None or isinstance(c, str) else _number_text(c))
            columns[name] = as_text.astype(object)
        else:
            columns[name] = pd.to_numeric(cells).astype("float64")
    pd.DataFrame(columns).to_parquet(path, index=False)


def _number_text(value: Any) -> str:
    """Shortest text that reads back as the same float (no '.0' on whole numbers)."""
    return np.format_float_positional(float(value), unique=True, trim="-")


def _excel_cell(cell: Any) -> Any:
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return cell


def is_blank(value: object) -> bool:
    """True for an empty cell: None, NaN or only whitespace."""
    if value is None:
        return True
    if isinstance(value, float):
        return value != value  # NaN
    return isinstance(value, str) and not value.strip()


_WRITERS: dict[str, Callable[..., None]] = {
    **dict.fromkeys((".csv", ".txt", ".tsv"), _write_csv),
    **dict.fromkeys((".xlsx", ".xlsm"), _write_excel),
    **dict.fromkeys((".parquet", ".pq"), _write_parquet),
}
