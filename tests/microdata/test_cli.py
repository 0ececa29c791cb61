"""``bluezones microdata``: generate, load, detect and atlas from the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from bluezones.cli import main


def test_generate_load_detect_atlas(tmp_path: Path, demo_store_file: Path) -> None:
    store = tmp_path / "s.duckdb"
    shutil.copy(demo_store_file, store)
    run = CliRunner().invoke
    folder = tmp_path / "md"
    args = ["--store", str(store)]
    out = run(main, [*args, "microdata", "generate", "--out", str(folder), "--seed", "7",
                     "--youths", "30000", "--years", "2023-2024"])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "persoonsjaren" in out.output
    assert sorted(p.name for p in folder.iterdir()) == [
        "jeugd_2023.parquet", "jeugd_2024.parquet", "mapping.toml", "meta.json"
    ]  # fmt: skip
    out = run(main, [*args, "microdata", "load", str(folder), "--dataset", "micro"])
    assert out.exit_code == 0, out.output
    assert "geladen in dataset 'micro'" in out.output
    assert "geheimhoudingscontrole" in out.output
    out = run(main, [*args, "--lang", "en", "microdata", "load", str(folder / "jeugd_2024.parquet"),
                     "--mapping", str(folder / "mapping.toml"), "--dataset", "m2"])  # fmt: skip
    assert out.exit_code == 0 and "loaded into dataset 'm2'" in out.output
    out = run(main, [*args, "detect", "--dataset", "micro", "--indicator", "jeugdhulp"])
    assert out.exit_code == 0, out.output
    out = run(main, [*args, "atlas", "--dataset", "micro", "--out", str(tmp_path / "atlas")])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "atlas" / "index.html").is_file()


def test_bad_file_exits_non_zero_with_a_dutch_message(
    tmp_path: Path, demo_store_file: Path
) -> None:
    store = tmp_path / "s.duckdb"
    shutil.copy(demo_store_file, store)
    folder = tmp_path / "md"
    run = CliRunner().invoke
    run(main, ["--store", str(store), "microdata", "generate", "--out", str(folder),
               "--seed", "7", "--youths", "2000", "--years", "2024"])  # fmt: skip
    data = (folder / "jeugd_2024.parquet").read_bytes()
    (folder / "jeugd_2024.parquet").write_bytes(data[:1000])
    out = run(main, ["--store", str(store), "microdata", "load", str(folder), "--dataset", "x"])
    assert out.exit_code == 1
    assert "Fout:" in out.output and "jeugd_2024.parquet" in out.output
    out = run(
        main, ["--store", str(store), "microdata", "load", str(folder / "jeugd_2024.parquet")]
    )
    assert out.exit_code == 1 and "mapping" in out.output


def test_mapping_prints_an_example() -> None:
    out = CliRunner().invoke(main, ["microdata", "mapping", "--boundary-year", "2023"])
    assert out.exit_code == 0
    assert 'gemeente = "gem2023"' in out.output
