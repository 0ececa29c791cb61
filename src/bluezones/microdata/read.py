"""Opening person-level files for DuckDB: Parquet, CSV and SPSS ``.sav``.

DuckDB reads Parquet and CSV itself, out of core. An SPSS file is converted
first, in chunks, to a Parquet file in a work folder (with progress), so no
format is ever held in memory whole. Each file becomes a :class:`SourceFile`
with the SQL that scans it; a file that is cut off (a Parquet file without
its footer, a CSV whose last line has no line end, an SPSS file that ends
early) is refused with a :class:`~bluezones.errors.DataError` naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from bluezones.errors import DataError

__all__ = ["SAV_CHUNK_ROWS", "SUFFIXES", "SourceFile", "open_files", "sql_string"]

SUFFIXES = (".parquet", ".csv", ".sav")
SAV_CHUNK_ROWS = 500_000
Progress = Callable[[str, int, int], None]
CUT_OFF_HINT = (
    "The file looks cut off (incomplete copy or export). Export or copy it again; "
    "nothing has been loaded."
)


def sql_string(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class SourceFile:
    """One input file as DuckDB sees it.

    ``path`` is the file the user gave; ``scan`` a table expression reading it
    (the converted Parquet file for ``.sav``); ``types`` its columns' DuckDB
    types by name.
    """

    path: Path
    kind: str
    scan: str
    types: dict[str, str]

    def scan_with_rows(self) -> str:
        """The scan with ``_record``: the record number, 1 for the first (header not counted)."""
        if self.kind == "csv":
            return f"(SELECT *, row_number() OVER () AS _record FROM {self.scan})"
        location = self.scan.removeprefix("read_parquet(").removesuffix(")")
        return (
            "(SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS _record "
            f"FROM read_parquet({location}, file_row_number = true))"
        )


def open_files(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path],
    workdir: Path,
    progress: Progress | None = None,
) -> list[SourceFile]:
    """Describe every file (converting ``.sav`` to Parquet in ``workdir``)."""
    if not paths:
        raise DataError(
            "No microdata files were given.",
            hint="Give .parquet, .csv or .sav files (or a folder holding them).",
        )
    out: list[SourceFile] = []
    for path in paths:
        suffix = path.suffix.lower()
        if suffix not in SUFFIXES:
            raise DataError(
                f"Cannot read {path.name}: unknown file type {path.suffix!r}.",
                hint="Give .parquet, .csv or .sav files.",
                file=str(path),
            )
        if not path.is_file():
            raise DataError(f"The file {path} does not exist.", file=str(path))
        if suffix == ".parquet":
            scan = f"read_parquet({sql_string(str(path))})"
        elif suffix == ".csv":
            _check_csv_end(path)
            scan = f"read_csv({sql_string(str(path))}, header = true, null_padding = false)"
        else:
            converted = _sav_to_parquet(path, workdir / f"{len(out)}_{path.stem}.parquet", progress)
            scan = f"read_parquet({sql_string(str(converted))})"
        kind = "csv" if suffix == ".csv" else "parquet"
        try:
            described = con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
        except duckdb.Error as exc:
            raise DataError(
                f"Cannot read {path.name}: {_first_line(exc)}",
                hint=CUT_OFF_HINT if suffix == ".parquet" else "Check that it is a valid file.",
                file=str(path),
            ) from exc
        out.append(SourceFile(path, kind, scan, {str(r[0]): str(r[1]) for r in described}))
    return out


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def _check_csv_end(path: Path) -> None:
    """A complete CSV file ends with a line end; one cut off mid-record does not."""
    size = path.stat().st_size
    if size == 0:
        raise DataError(f"{path.name} is empty.", hint="Export the file again.", file=str(path))
    with path.open("rb") as handle:
        handle.seek(size - 1)
        last = handle.read(1)
    if last not in (b"\n", b"\r"):
        with path.open("rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
        raise DataError(
            f"{path.name} ends in the middle of a record: its last line has no line end.",
            hint=CUT_OFF_HINT,
            file=str(path),
            row=f"record {lines} (the last)",
        )


def _sav_to_parquet(path: Path, target: Path, progress: Progress | None) -> Path:
    """Convert an SPSS file to Parquet in chunks of :data:`SAV_CHUNK_ROWS` rows."""
    import pyreadstat

    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
        total = int(meta.number_rows or 0)
        chunks = pyreadstat.read_file_in_chunks(
            pyreadstat.read_sav, str(path), chunksize=SAV_CHUNK_ROWS
        )
        writer: pq.ParquetWriter | None = None
        done = 0
        schema: pa.Schema | None = None
        for frame, _ in chunks:
            table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
            if writer is None:
                schema = table.schema
                writer = pq.ParquetWriter(target, schema)
            writer.write_table(table)
            done += len(frame)
            if progress is not None:
                progress(f"{path.name}", done, max(total, done))
        if writer is not None:
            writer.close()
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError) as exc:
        raise DataError(
            f"Cannot read the SPSS file {path.name}: {exc}",
            hint=CUT_OFF_HINT,
            file=str(path),
        ) from exc
    if total and done != total:
        raise DataError(
            f"{path.name} says it holds {total} records but ends after {done}.",
            hint=CUT_OFF_HINT,
            file=str(path),
        )
    if writer is None:
        raise DataError(f"{path.name} holds no records.", file=str(path))
    return target
