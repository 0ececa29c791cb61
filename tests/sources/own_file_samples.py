"""Sample own files in every format and shape, written cell by cell (not by the code under test)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

WIDE_HEADER = ["region_code", "year", "youth_0_17", "jeugdhulp", "pct_single_parent"]
# One row per region and year; '.' = suppressed, None = missing.
WIDE_ROWS: list[list[object]] = [
    ["GM0363", 2021, 150000, 16000, 32.5],
    ["GM0363", 2022, 151000, 16500.0, 33.25],
    ["GM0014", 2022, 45000, ".", None],
]

# The facts those rows mean, sorted by region, year, measure (source left out).
EXPECTED = pd.DataFrame(
    [
        ("GM0014", 2022, "jeugdhulp", np.nan, "suppressed"),
        ("GM0014", 2022, "pct_single_parent", np.nan, "missing"),
        ("GM0014", 2022, "youth_0_17", 45000.0, None),
        ("GM0363", 2021, "jeugdhulp", 16000.0, None),
        ("GM0363", 2021, "pct_single_parent", 32.5, None),
        ("GM0363", 2021, "youth_0_17", 150000.0, None),
        ("GM0363", 2022, "jeugdhulp", 16500.0, None),
        ("GM0363", 2022, "pct_single_parent", 33.25, None),
        ("GM0363", 2022, "youth_0_17", 151000.0, None),
    ],
    columns=["region_code", "year", "measure", "value", "status"],
    dtype=object,
).astype({"year": "int64", "value": "float64"})


def long_rows() -> list[list[object]]:
    """The same data in the long shape, with a status column."""
    rows = []
    for region, year, *cells in WIDE_ROWS:
        for measure, cell in zip(WIDE_HEADER[2:], cells, strict=True):
            if cell == ".":
                rows.append([region, year, measure, None, "suppressed"])
            else:
                rows.append([region, year, measure, cell, None])
    return rows


LONG_HEADER = ["region_code", "year", "measure", "value", "status"]


def csv_text(header: list[str], rows: list[list[object]], sep: str = ",") -> str:
    lines = [sep.join(header)]
    lines += [sep.join("" if c is None else str(c) for c in row) for row in rows]
    return "\n".join(lines) + "\n"


def write_csv(
    path: Path, header: list[str], rows: list[list[object]], sep: str = ",", encoding="utf-8"
) -> Path:
    path.write_bytes(csv_text(header, rows, sep).encode(encoding))
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]], sheet="data") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def write_parquet(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    for column in header:
        if column not in ("region_code", "measure", "status"):
            numeric = pd.to_numeric(frame[column], errors="coerce")
            if numeric.notna().sum() == frame[column].map(lambda c: c is not None).sum():
                frame[column] = numeric.astype("float64")
            else:  # a column holding '.' markers is text
                frame[column] = frame[column].map(lambda c: None if c is None else str(c))
    frame.to_parquet(path, index=False)
    return path


def without_source(facts: pd.DataFrame) -> pd.DataFrame:
    return facts.drop(columns=["dataset", "source"]).reset_index(drop=True)
