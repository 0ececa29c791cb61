"""Bad own files: one clear error per problem, naming file, row and column, and a hint.

Each case writes a small file, reads it and checks the error class and the
message parts a user needs to find the problem. A failed ``load_own_file``
leaves the store exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bluezones.errors import BlueZonesError, DataError, RegionError
from bluezones.sources.files import load_own_file, read_own_file

from .own_file_samples import LONG_HEADER, WIDE_HEADER, WIDE_ROWS, write_csv, write_xlsx

H = ["region_code", "year", "youth_0_17", "jeugdhulp"]  # a short wide header


def csv(rows: list[list[object]], header: list[str] = H, sep: str = ",") -> Callable[[Path], Path]:
    return lambda folder: write_csv(folder / "eigen.csv", header, rows, sep=sep)


def raw(data: bytes, name: str = "eigen.csv") -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    return make


def xlsx(rows: list[list[object]], header: list[str] = H) -> Callable[[Path], Path]:
    return lambda folder: write_xlsx(folder / "eigen.xlsx", header, rows, sheet="cijfers")


def parquet(frame: pd.DataFrame) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        frame.to_parquet(folder / "eigen.parquet", index=False)
        return folder / "eigen.parquet"

    return make


@dataclass
class Case:
    make: Callable[[Path], Path]
    error: type[BlueZonesError]
    says: tuple[str, ...]  # parts the message must contain
    options: dict[str, Any] = field(default_factory=dict)


OK = ["GM0363", 2022, 1000, 100]
CP1252 = "region_code,naam,year,jeugdhulp\nGM0363,Amsterdam,2022,5\nGM1900,Súdwest-Fryslân,2022,7\n"

CASES: dict[str, Case] = {
    "misspelt column": Case(
        csv([OK], ["region_code", "year", "youth_0_17", "jeugdhlup"]),
        DataError,
        ("Unknown column 'jeugdhlup'", "Did you mean 'jeugdhulp'?", "row: 1", "column: jeugdhlup"),
    ),
    "extra column": Case(
        csv([[*OK, "x"]], [*H, "opmerking"]),
        DataError,
        ("Unknown column 'opmerking'", "ignore=['opmerking']", "column: opmerking"),
    ),
    "missing year column": Case(
        csv([["GM0363", 1000]], ["region_code", "youth_0_17"]),
        DataError,
        ("Required column 'year' is missing", "row: 1", "column: year"),
    ),
    "no measure columns": Case(
        csv([["GM0363", 2022]], ["region_code", "year"]),
        DataError,
        ("no measure columns", "row: 1"),
    ),
    "column without a name": Case(
        csv([[0, *OK]], ["", *H]), DataError, ("Column 1 has no name", "row: 1")
    ),
    "region column twice": Case(
        csv([[*OK, "GM0363"]], [*H, "gwb_code"]),
        DataError,
        ("appears twice", "column: gwb_code"),
    ),
    "unpadded region code": Case(
        csv([OK, ["GM363", 2022, 10, 1]]),
        RegionError,
        ("Malformed region code 'GM363'", "Did you mean 'GM0363'", "row: 3", "column: region_code"),
    ),
    "number as region code": Case(
        csv([["363", 2022, 10, 1]]),
        RegionError,
        ("Malformed region code '363'", "prefix", "row: 2", "column: region_code"),
    ),
    "empty region code": Case(
        csv([OK, ["", 2022, 10, 1]]),
        RegionError,
        ("Missing region code", "row: 3", "column: region_code"),
    ),
    "unknown region code": Case(
        csv([OK, ["GM0364", 2022, 10, 1]]),
        RegionError,
        ("Unknown region code 'GM0364'", "Did you mean 'GM0363'", "row: 3", "region: GM0364"),
        {"known_regions": ["GM0363", "GM0014"]},
    ),
    "text value": Case(
        csv([OK, ["GM0014", 2022, "veel", 1]]),
        DataError,
        ("Value 'veel' is not a number", "row: 3", "column: youth_0_17"),
    ),
    "numerator above denominator": Case(
        csv([OK, ["GM0014", 2022, 100, 150]]),
        DataError,
        ("jeugdhulp (150) is larger than its denominator youth_0_17 (100)", "row: 3"),
    ),
    "negative count": Case(
        csv([OK, ["GM0014", 2022, -5, 1]]),
        DataError,
        ("Count -5 is negative", "row: 3", "column: youth_0_17"),
    ),
    "share above 100": Case(
        csv([["GM0014", 2022, 120.5]], ["region_code", "year", "pct_single_parent"]),
        DataError,
        ("Share 120.5 is outside 0-100", "row: 2", "column: pct_single_parent"),
    ),
    "year out of range": Case(
        csv([OK, ["GM0014", 1899, 10, 1]]),
        DataError,
        ("Year 1899 is outside 1990-2100", "row: 3", "column: year"),
    ),
    "fractional year": Case(
        csv([["GM0014", "2022.5", 10, 1]]),
        DataError,
        ("Year '2022.5' is not a whole number", "row: 2", "column: year"),
    ),
    "duplicate region and year": Case(
        csv([OK, ["GM0014", 2022, 10, 1], OK]),
        DataError,
        ("Rows 2 and 4 have the same region_code GM0363, year 2022", "row: 4"),
    ),
    "duplicate long key": Case(
        csv(
            [["GM0363", 2022, "jeugdhulp", 5, ""], ["GM0363", 2022, "jeugdhulp", 6, ""]],
            LONG_HEADER,
        ),
        DataError,
        ("Rows 2 and 3 have the same", "measure jeugdhulp", "region: GM0363"),
    ),
    "unknown measure in long file": Case(
        csv([["GM0363", 2022, "jeugdhlup", 5, ""]], LONG_HEADER),
        DataError,
        ("Unknown measure 'jeugdhlup'", "Did you mean 'jeugdhulp'?", "row: 2", "column: measure"),
    ),
    "unknown status": Case(
        csv([["GM0363", 2022, "jeugdhulp", "", "geheim"]], LONG_HEADER),
        DataError,
        ("Unknown status 'geheim'", "row: 2", "column: status"),
    ),
    "suppressed status with a value": Case(
        csv([["GM0363", 2022, "jeugdhulp", 5, "suppressed"]], LONG_HEADER),
        DataError,
        ("Status 'suppressed' but the row has a value", "row: 2", "column: status"),
    ),
    "zero bytes": Case(raw(b""), DataError, ("empty (0 bytes)", "file: eigen.csv")),
    "header only": Case(
        raw(b"region_code,year,jeugdhulp\n"), DataError, ("no data rows", "file: eigen.csv")
    ),
    "wrong encoding": Case(
        raw(CP1252.encode("cp1252")),
        DataError,
        ("Byte 0xfa at byte offset 64", "not valid utf-8", "row: 3", "column: naam", "cp1252"),
    ),
    "utf-16 byte order mark": Case(
        raw(CP1252.encode("utf-16")), DataError, ("UTF-16", "encoding='utf-16'")
    ),
    "decimal comma": Case(
        csv([["GM0363", 2022, "12,5"]], ["region_code", "year", "pct_single_parent"], sep=";"),
        DataError,
        ("'12,5' has a decimal comma", "decimal=','", "row: 2", "column: pct_single_parent"),
    ),
    "decimal point with decimal comma": Case(
        csv([["GM0363", 2022, "12.5"]], ["region_code", "year", "pct_single_parent"], sep=";"),
        DataError,
        ("'12.5' has a decimal point", "row: 2", "column: pct_single_parent"),
        {"decimal": ","},
    ),
    "semicolons read with sep=','": Case(
        csv([OK], sep=";"),
        DataError,
        ("seems separated by ';'", "sep=';'", "row: 1"),
        {"sep": ","},
    ),
    "ragged row": Case(
        raw(b"region_code,year,jeugdhulp\nGM0363,2022,5,6\n"),
        DataError,
        ("Row has 4 fields but the header has 3", "row: 2"),
    ),
    "missing sheet": Case(
        xlsx([OK]),
        DataError,
        ("no sheet 'Blad1'", "Its sheets are: cijfers", "sheet: Blad1"),
        {"sheet": "Blad1"},
    ),
    "excel text in a count": Case(
        xlsx([OK, ["GM0014", 2022, "n.v.t.", 3]]),
        DataError,
        ("'n.v.t.' is not a number", "sheet: cijfers", "row: 3", "column: youth_0_17"),
    ),
    "parquet boolean values": Case(
        parquet(pd.DataFrame({"region_code": ["GM0363"], "year": [2022], "jeugdhulp": [True]})),
        DataError,
        ("True is not a number", "row: 2", "column: jeugdhulp"),
    ),
    "parquet dates as years": Case(
        parquet(
            pd.DataFrame(
                {"region_code": ["GM0363"], "year": [pd.Timestamp(2022, 1, 1)], "jeugdhulp": [1]}
            )
        ),
        DataError,
        ("is not a whole number", "row: 2", "column: year"),
    ),
    "old excel format": Case(raw(b"\xd0\xcf\x11\xe0", "eigen.xls"), DataError, (".xlsx",)),
    "not a workbook": Case(raw(b"just text", "eigen.xlsx"), DataError, ("Cannot open",)),
    "not parquet": Case(raw(b"just text", "eigen.parquet"), DataError, ("Cannot read",)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_file_gives_one_clear_error(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    path = case.make(tmp_path)
    with pytest.raises(case.error) as caught:
        read_own_file(path, dataset="eigen", **case.options)
    message = str(caught.value)
    assert f"file: {path.name}" in message
    assert caught.value.hint, "every error says what to do"
    for part in case.says:
        assert part in message, f"{part!r} not in {message!r}"


@pytest.mark.parametrize(
    "name", ["misspelt column", "numerator above denominator", "wrong encoding", "header only"]
)
def test_failed_load_leaves_the_store_unchanged(store, tmp_path: Path, name: str) -> None:
    good = write_csv(tmp_path / "eigen.csv", WIDE_HEADER, WIDE_ROWS)
    load_own_file(store, good, dataset="eigen")
    before = store.read("facts")
    bad_folder = tmp_path / "bad"
    bad_folder.mkdir()
    bad = CASES[name].make(bad_folder)
    with pytest.raises(BlueZonesError):
        load_own_file(store, bad, dataset="eigen", **CASES[name].options)
    pd.testing.assert_frame_equal(store.read("facts"), before)


def test_bad_options_are_rejected(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "eigen.csv", WIDE_HEADER, WIDE_ROWS)
    with pytest.raises(DataError, match="decimal"):
        read_own_file(path, dataset="d", decimal=";")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="dataset"):
        read_own_file(path, dataset="")
    with pytest.raises(DataError, match="Unknown encoding"):
        read_own_file(path, dataset="d", encoding="utf-9")
    with pytest.raises(DataError, match="Excel files only"):
        read_own_file(path, dataset="d", sheet="data")
    with pytest.raises(DataError, match="does not exist"):
        read_own_file(tmp_path / "nope.csv", dataset="d")
