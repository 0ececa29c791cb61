"""bluezones serve: files and API from the site, localhost only, traversal refused, strict CSP."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from bluezones.cli import main
from bluezones.detect.results import load_results
from bluezones.errors import BlueZonesError
from bluezones.present.atlas.server import (
    CONTENT_SECURITY_POLICY,
    DEFAULT_HOST,
    make_server,
)
from bluezones.store import Store


def _get(base: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """A raw GET that sends ``path`` exactly as written (no client-side normalisation)."""
    parts = urlsplit(base)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        con.putrequest("GET", path, skip_accept_encoding=True)
        con.endheaders()
        resp = con.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        con.close()


def test_serves_pages_with_types_and_csp(server_url: str) -> None:
    for path, kind in [
        ("/", "text/html"),
        ("/index.html", "text/html"),
        ("/area.html?code=GM0014", "text/html"),
        ("/assets/atlas.css", "text/css"),
        ("/assets/atlas.js", "text/javascript"),
        ("/data/gemeente/meta.json", "application/json"),
    ]:
        status, headers, body = _get(server_url, path)
        assert status == 200, path
        assert headers["content-type"].startswith(kind), path
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert headers["x-content-type-options"] == "nosniff"
        assert int(headers["content-length"]) == len(body)
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "path",
    [
        "/../../../../etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/assets/..%2f..%2f..%2fetc/passwd",
        "/%252e%252e/%252e%252e/etc/passwd",
        "/assets/%5c..%5c..%5cetc%5cpasswd",
        "/data/../../outside.txt",
        "/.hidden",
        "/%00index.html",
    ],
)
def test_paths_outside_the_site_are_refused(server_url: str, site: Path, path: str) -> None:
    (site.parent / "outside.txt").write_text("secret")
    status, _, body = _get(server_url, path)
    assert status == 404
    assert b"secret" not in body and b"root:" not in body


def test_binds_localhost_by_default(site: Path) -> None:
    server = make_server(site, port=0)
    try:
        assert server.server_address[0] == "127.0.0.1" == DEFAULT_HOST
    finally:
        server.server_close()
    serve_cmd = main.commands["serve"]
    host = next(p for p in serve_cmd.params if p.name == "host")
    assert host.default == "127.0.0.1"


def test_refuses_a_folder_without_an_atlas(tmp_path: Path) -> None:
    with pytest.raises(BlueZonesError, match="bluezones atlas"):
        make_server(tmp_path, port=0)


def test_api_values_equal_the_store(server_url: str, atlas_store: Path) -> None:
    with Store(atlas_store, read_only=True) as store:
        res = load_results(store, "demo", "gemeente")
    c = res["classification"].set_index("region_code")
    status, _, body = _get(server_url, "/api/areas?level=gemeente")
    assert status == 200
    areas = json.loads(body)["areas"]
    assert [a["code"] for a in areas] == sorted(c.index)
    for a in areas[::41]:
        assert a["status"] == c.loc[a["code"], "status"]
        assert a["ratio"] == round(c.loc[a["code"], "ratio"], 2)
        assert len(a["reasons"]) > 20
    code = areas[7]["code"]
    status, _, body = _get(server_url, f"/api/area/{code}")
    area = json.loads(body)
    ay = res["area_year"]
    ay = ay[(ay["region_code"] == code) & (ay["indicator"] == "jeugdhulp")].set_index("year")
    for year, v in area["values"]["jeugdhulp"].items():
        row = ay.loc[int(year)]
        assert v["usable"] == bool(row["usable"])
        assert v["n"] == int(row["n"])
        if v["usable"]:
            assert v["observed"] == int(row["observed"])
            assert v["ratio"] == round(float(row["ratio"]), 2)
            assert v["ratio_low"] == round(float(row["ratio_low"]), 2)
    peers = res["peers"]
    assert (
        area["peers"]
        == peers[peers["region_code"] == code]
        .sort_values("rank")["peer_code"]
        .tolist()[: len(area["peers"])]
    )


def test_api_errors_are_json_404(server_url: str) -> None:
    for path in ("/api/area/GM9999", "/api/area/nonsense", "/api/areas?level=buurt", "/api/x"):
        status, headers, body = _get(server_url, path)
        assert status == 404, path
        assert headers["content-type"].startswith("application/json")
        assert "error" in json.loads(body)


def test_atlas_command_builds_the_site(atlas_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(
        main,
        [
            "--store",
            str(atlas_store),
            "--lang",
            "en",
            "atlas",
            "--out",
            str(out),
            "--level",
            "gemeente",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "bluezones serve --dir" in result.output
    assert (out / "index.html").is_file() and not (out / "data" / "wijk").exists()
    assert json.loads((out / "data/site.json").read_text())["lang"] == "en"


def test_serve_reports_a_busy_port(site: Path) -> None:
    busy = make_server(site, port=0)
    try:
        result = CliRunner().invoke(
            main, ["serve", "--dir", str(site), "--port", str(busy.server_port)]
        )
    finally:
        busy.server_close()
    assert result.exit_code == 1
    assert "--port" in result.output
