"""The atlas builder: files, escaped names, JSON twins, values, no outside URLs, atomic rebuilds."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from bluezones.detect.results import load_results
from bluezones.errors import DetectError
from bluezones.present.atlas import build_atlas
from bluezones.present.atlas.build import DATA_GLOBAL
from bluezones.present.atlas.data import RATIO_DECIMALS
from bluezones.present.atlas.geometry import svg_map
from bluezones.store import Store

#: The one URL-like string the site may hold: the SVG namespace name, never fetched.
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
URL = re.compile(r"https?://[^\s\"'<>)]+", re.IGNORECASE)


def _payload_of_js(path: Path) -> object:
    text = path.read_text(encoding="utf-8")
    prefix = f"(window.{DATA_GLOBAL}=window.{DATA_GLOBAL}||{{}})["
    assert text.startswith(prefix)
    body = text[text.index("]=") + 2 :].rstrip().removesuffix(";")
    return json.loads(body)


def test_site_files_present(site: Path) -> None:
    for name in ("index.html", "area.html", "index.json", "data/site.js", "data/ui.json"):
        assert (site / name).is_file(), name
    for asset in ("atlas.css", "common.js", "atlas.js", "area.js"):
        assert (site / "assets" / asset).is_file(), asset
    for level in ("gemeente", "wijk"):
        for name in ("meta", "geo", "ind-jeugdhulp"):
            assert (site / "data" / level / f"{name}.js").is_file()
            assert (site / "data" / level / f"{name}.json").is_file()
    assert (site / "data" / "gemeente" / "ind-uithuisplaatsing.json").is_file()


def test_every_js_payload_has_an_identical_json_twin(site: Path) -> None:
    scripts = sorted((site / "data").rglob("*.js"))
    assert len(scripts) >= 8
    for script in scripts:
        twin = json.loads(script.with_suffix(".json").read_text(encoding="utf-8"))
        assert _payload_of_js(script) == twin, script


def test_hostile_names_are_escaped(site: Path, hostile: dict[str, str]) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in index and "<img src=x" not in index
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index  # the noscript list, escaped
    assert index.count("<script") == 4  # only the four script tags of the page itself
    for code, name in hostile.items():
        level = "wijk" if code.startswith("WK") else "gemeente"
        meta = json.loads((site / "data" / level / "meta.json").read_text(encoding="utf-8"))
        assert meta["areas"]["name"][meta["areas"]["code"].index(code)] == name
    overview = json.loads((site / "index.json").read_text(encoding="utf-8"))
    assert any(a["name"] in hostile.values() for a in overview["levels"]["gemeente"]["listed"])
    for script in (site / "assets").glob("*.js"):
        assert not re.search(
            r"innerHTML|outerHTML|insertAdjacentHTML|document\.write",
            script.read_text(encoding="utf-8"),
        ), script


def test_no_url_of_another_host_in_any_file(site: Path) -> None:
    for path in site.rglob("*"):
        if path.is_file():
            found = set(URL.findall(path.read_text(encoding="utf-8"))) - {SVG_NAMESPACE}
            assert not found, (path, found)
    css_js_html = [p for p in site.rglob("*") if p.suffix in (".css", ".html", ".js")]
    for path in css_js_html:
        text = path.read_text(encoding="utf-8")
        assert "@import" not in text and "//cdn" not in text and "fonts.g" not in text


def test_values_equal_the_stored_results(site: Path, atlas_store: Path) -> None:
    with Store(atlas_store, read_only=True) as store:
        results = load_results(store, "demo", "gemeente")
    meta = json.loads((site / "data/gemeente/meta.json").read_text(encoding="utf-8"))
    payload = json.loads((site / "data/gemeente/ind-jeugdhulp.json").read_text(encoding="utf-8"))
    codes = meta["areas"]["code"]
    c = results["classification"].set_index("region_code")
    assert codes == sorted(c.index)
    assert meta["classification"]["status"] == c.loc[codes, "status"].tolist()
    for i in range(0, len(codes), 37):
        assert meta["classification"]["ratio"][i] == round(c.loc[codes[i], "ratio"], 2)
    ay = results["area_year"]
    ay = ay[(ay["indicator"] == "jeugdhulp") & (ay["year"] == 2024)].set_index("region_code")
    cells = payload["years"]["2024"]
    usable = [code for code, f in zip(codes, cells["f"], strict=True) if f & 1]
    assert usable == [code for code in codes if ay.loc[code, "usable"]]
    expected_r = [round(float(ay.loc[code, "ratio"]), RATIO_DECIMALS) for code in usable]
    assert cells["r"] == expected_r
    observed = [None if not ay.loc[c_, "usable"] else int(ay.loc[c_, "observed"]) for c_ in codes]
    assert [o if f & 1 else None for o, f in zip(cells["o"], cells["f"], strict=True)] == observed
    n = meta["denominators"]["youth_0_17"]["2024"]
    assert n == [int(ay.loc[code, "n"]) for code in codes]


def test_geometry_paths_one_per_area(site: Path) -> None:
    for level in ("gemeente", "wijk"):
        meta = json.loads((site / f"data/{level}/meta.json").read_text(encoding="utf-8"))
        geo = json.loads((site / f"data/{level}/geo.json").read_text(encoding="utf-8"))
        assert len(geo["paths"]) == len(meta["areas"]["code"])
        assert all(p.startswith("M") and p.endswith("Z") for p in geo["paths"])
        assert re.fullmatch(r"0 0 1000 [0-9.]+", geo["view_box"])


def test_svg_map_projects_and_rounds() -> None:
    square = '{"type":"Polygon","coordinates":[[[5,52],[6,52],[6,53],[5,53],[5,52]]]}'
    hole = (
        '{"type":"Polygon","coordinates":[[[5,52],[6,52],[6,53],[5,53],[5,52]],'
        "[[5.4,52.4],[5.6,52.4],[5.6,52.6],[5.4,52.6],[5.4,52.4]]]}"
    )
    m = svg_map([("A", square), ("B", hole)])
    width, height = (float(v) for v in m.view_box.split()[2:])
    assert width == 1000 and height > width  # one degree of latitude is longer than of longitude
    assert m.paths["A"].count("M") == 1 and m.paths["B"].count("M") == 2
    numbers = re.findall(r"-?\d+(?:\.\d+)?", m.paths["B"])
    assert all(len(n.partition(".")[2]) <= 1 for n in numbers)


def test_rebuild_is_atomic(atlas_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "atlas"
    with Store(atlas_store, read_only=True) as store:
        build_atlas(store, "demo", out, levels=("gemeente",))
        first = (out / "data/gemeente/meta.json").read_bytes()
        (out / "stale.txt").write_text("from the old site")
        with pytest.raises(DetectError):
            build_atlas(store, "demo", out, levels=("gemeente", "buurt"))
        assert (out / "stale.txt").is_file()  # a failed build leaves the old site alone
        build_atlas(store, "demo", out, levels=("gemeente",), lang="en")
    assert not (out / "stale.txt").exists()
    assert (out / "data/gemeente/meta.json").read_bytes() == first
    assert '<html lang="en">' in (out / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atlas"]


def test_overview_twin_lists_candidates_with_reasons(site: Path) -> None:
    overview = json.loads((site / "index.json").read_text(encoding="utf-8"))
    assert set(overview["levels"]) == {"gemeente", "wijk"}
    gm = overview["levels"]["gemeente"]
    assert sum(gm["counts"].values()) == gm["areas"]
    assert gm["listed"] and all(len(a["reasons"]) > 20 for a in gm["listed"])


def test_manifest_records_provenance(site: Path) -> None:
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["dataset"] == "demo" and manifest["version"]
    assert set(manifest["levels"]) == {"gemeente", "wijk"}
    assert "seed" in manifest["levels"]["gemeente"]["config"]
    assert manifest["levels"]["wijk"]["config"]["years"] == [2022, 2023, 2024]
    assert "index.html" in manifest["files"] and "manifest.json" not in manifest["files"]
    digest = hashlib.sha256((site / "index.html").read_bytes()).hexdigest()
    assert manifest["files"]["index.html"] == digest


def test_mergers_follow_the_crosswalk(site: Path, atlas_store: Path) -> None:
    meta = json.loads((site / "data/gemeente/meta.json").read_text(encoding="utf-8"))
    with Store(atlas_store, read_only=True) as store:
        cross = store.read("crosswalk", where={"dataset": "demo", "level": "gemeente"})
    moved = cross[cross["code_from"] != cross["code_to"]]
    assert meta["mergers"]
    for position, formers in meta["mergers"].items():
        code = meta["areas"]["code"][int(position)]
        direct = set(moved.loc[moved["code_to"] == code, "code_from"])
        assert direct <= {m["code"] for m in formers}
        assert all(0 < m["weight"] <= 1 and m["year"] > 2015 for m in formers)


def test_reasons_in_both_languages(site: Path) -> None:
    c = json.loads((site / "data/gemeente/meta.json").read_text(encoding="utf-8"))["classification"]
    listed = [i for i, s in enumerate(c["status"]) if s in ("bluezone", "escalation", "high")]
    assert listed
    for i in listed:
        assert c["reasons"][i].startswith("Jeugdhulp")
        assert c["reasons_en"][i].startswith("Youth care")
