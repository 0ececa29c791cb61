"""sdc-check: a protected microdata atlas and export pass; an unsafe folder does not."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from bluezones.cli import main
from bluezones.sdc.check import check_folder

from .conftest import MIN


def test_protected_outputs_pass_clean(micro_outputs: Path) -> None:
    report = check_folder(micro_outputs)
    assert report.min_count == MIN  # read from the manifests
    assert report.files > 20
    assert report.violations == []
    manifest = json.loads((micro_outputs / "exports" / "manifest.json").read_text())
    assert manifest["disclosure_control"]["applied"] is True
    assert manifest["disclosure_control"]["min_count"] == MIN


def test_cli_exits_zero_on_clean_outputs(micro_outputs: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["--store", str(tmp_path / "s.duckdb"), "sdc-check", str(micro_outputs / "atlas")]
    )
    assert result.exit_code == 0, result.output
    assert "geen overtredingen" in result.output


def _unsafe(folder: Path) -> Path:
    folder.mkdir()
    pd.DataFrame(
        {
            "region_code": ["GM0001", "WK000101", "WK000102", "WK000103"],
            "year": [2024, 2024, 2024, 2024],
            "observed": [60, 30, None, 25],
            "n": [400, 120, 150, 130],
        }
    ).to_csv(folder / "table.csv", index=False)
    pd.DataFrame(
        {"RINPERSOON": ["123456789"], "aantal_clienten": [4], "max_leeftijd": [17]}
    ).to_parquet(folder / "persons.parquet")
    (folder / "sub").mkdir()
    (folder / "sub" / "data.json").write_text(json.dumps({"areas": [{"code": "GM1", "n": 3}]}))
    (folder / "report.pdf").write_bytes(b"%PDF-1.4 broken")
    return folder


def test_unsafe_folder_lists_every_violation(tmp_path: Path) -> None:
    report = check_folder(_unsafe(tmp_path / "out"))
    found = {(v.file, v.column, v.rule) for v in report.violations}
    assert found == {
        ("table.csv", "observed", "difference"),
        ("persons.parquet", "RINPERSOON", "person_id"),
        ("persons.parquet", "aantal_clienten", "small_count"),
        ("persons.parquet", "max_leeftijd", "minmax"),
        ("sub/data.json", "n", "small_count"),
        ("report.pdf", "", "unchecked"),
    }
    messages = " ".join(v.message("en") for v in report.violations)
    assert "123456789" not in messages  # never a person id in the list


def test_cli_exits_one_and_speaks_english(tmp_path: Path) -> None:
    folder = _unsafe(tmp_path / "out")
    result = CliRunner().invoke(
        main, ["--store", str(tmp_path / "s.duckdb"), "sdc-check", str(folder), "--lang", "en"]
    )
    assert result.exit_code == 1
    assert "6 violations" in result.output
    assert "gives back the suppressed WK000102" in result.output
    nl = CliRunner().invoke(main, ["--store", str(tmp_path / "s.duckdb"), "sdc-check", str(folder)])
    assert nl.exit_code == 1 and "6 overtredingen" in nl.output


def test_minimum_option_changes_what_is_small(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    pd.DataFrame({"region_code": ["GM0001"], "observed": [15]}).to_csv(folder / "t.csv")
    assert check_folder(folder).ok
    assert [v.rule for v in check_folder(folder, 20).violations] == ["small_count"]


def test_html_tables_and_embedded_json(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "page.html").write_text(
        "<html><body><table><tr><th>Status</th><th>Aantal gemeenten</th>"
        "<th>Aantal cliënten</th></tr><tr><td>hoog</td><td>3</td><td>4</td></tr></table>"
        "<table><tr><th>Classificatie</th><th>Aantal</th></tr><tr><td>hoog</td><td>2</td>"
        "</tr></table>"
        '<script type="application/json">[{"bsn": "x", "code": "GM0001"}]</script>'
        "</body></html>",
        encoding="utf-8",
    )
    found = {(v.column, v.rule) for v in check_folder(folder).violations}
    assert found == {("Aantal cliënten", "small_count"), ("bsn", "person_id")}


def test_an_area_without_anyone_reveals_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    rows = {
        "region_code": ["GM0001", "WK000101", "WK000102"],
        "observed": [50, 50, None],
        "n": [300, 300, None],
    }
    pd.DataFrame(rows).to_csv(folder / "t.csv", index=False)
    assert check_folder(folder).ok  # the hidden wijk has no youths: 300 - 300
    rows["n"] = [301, 300, None]
    pd.DataFrame(rows).to_csv(folder / "t.csv", index=False)
    found = sorted((v.column, v.rule) for v in check_folder(folder).violations)
    assert found == [("n", "difference"), ("observed", "difference")]


def test_atlas_says_why_an_area_is_suppressed_in_both_languages(micro_outputs: Path) -> None:
    meta = json.loads((micro_outputs / "atlas" / "data" / "wijk" / "meta.json").read_text())
    c = meta["classification"]
    hidden = [i for i, r in enumerate(c["reasons"]) if r.startswith("Onderdrukt")]
    assert hidden
    assert {c["reasons_en"][i] for i in hidden} == {
        f"Suppressed: fewer than {MIN} persons, or derivable from a total "
        "(microdata confidentiality)."
    }
    assert all(c["ratio"][i] is None and c["status"][i] == "too_small" for i in hidden)
