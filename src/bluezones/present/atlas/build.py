"""Build the atlas: a static site that opens from ``file://`` and asks no other host.

Layout of the site::

    index.html  area.html  index.json          pages; index.json is the overview's twin
    manifest.json                              provenance: version, sources, run settings
    assets/                                    CSS and JS shipped with the package
    data/site.js|json  data/ui.js|json         levels built, default language; texts
    data/<level>/meta.js|json                  areas, classification, evidence, peers
    data/<level>/geo.js|json                   SVG paths aligned with the areas
    data/<level>/ind-<indicator>.js|json       yearly values and funnel limits
    monitor.html  evaluation.html              with monitor results only (``bluezones monitor``)
    monitor.json  evaluation.json              their twins
    data/monitor/meta|ind-<name>|evaluation    the monitor's payloads (.js and .json)

Browsers refuse ``fetch()`` from ``file://``, so every payload is also written as
a ``.js`` file that stores it in ``window.BZ_DATA[key]``; the ``.json`` twin holds
the very same object. Area names reach the page only through ``textContent``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from bluezones._atomic import atomic_dir
from bluezones.i18n import LANGUAGES, text
from bluezones.present.atlas.data import LevelData, level_data, ui_texts
from bluezones.present.atlas.monitor import MonitorPages, monitor_pages
from bluezones.present.provenance import MANIFEST, manifest
from bluezones.store import Store

__all__ = ["ASSETS", "DATA_GLOBAL", "LEVELS", "MONITOR_PAGES", "build_atlas", "payload_key"]

#: Levels of the atlas, in the order of the level switch.
LEVELS = ("gemeente", "wijk")
#: Folder of the shipped CSS and JS.
ASSETS = Path(__file__).parent / "assets"
#: Folder of the page templates.
TEMPLATES = Path(__file__).parent / "templates"
#: Global object that the ``.js`` payloads fill.
DATA_GLOBAL = "BZ_DATA"
#: Statuses listed in the overview's candidate list, in order.
LISTED = ("bluezone", "escalation", "high")
#: Pages (and their twins) built only when the store holds monitor results.
MONITOR_PAGES = ("monitor", "evaluation")
#: Assets of those pages, shipped only with them.
MONITOR_ASSETS = ("charts.js", "monitor.js", "evaluation.js", "nav.js", "monitor.css")
#: Browser texts of those pages, left out of ``ui`` without them.
MONITOR_UI_PREFIXES = ("atlas.nav.", "atlas.monitor.", "atlas.evaluation.")


def build_atlas(
    store: Store,
    dataset: str,
    out_dir: Path | str,
    *,
    levels: Sequence[str] = LEVELS,
    lang: str = "nl",
) -> Path:
    """Write the atlas of ``dataset`` to ``out_dir`` (replaced atomically) and return it.

    Parameters
    ----------
    store
        The store with detection results for every level in ``levels``.
    dataset
        Dataset whose results to show, e.g. ``"demo"``.
    out_dir
        Folder of the site; an existing one is replaced only once the new one is complete.
    levels
        Levels to include; each needs ``bluezones detect --level <level>`` first.
    lang
        Default language of the pages (``nl`` or ``en``); readers can switch.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    data = [level_data(store, dataset, level) for level in levels]
    monitor = monitor_pages(store, dataset)
    out = Path(out_dir)
    with atomic_dir(out) as tmp:
        ignore = None if monitor else shutil.ignore_patterns(*MONITOR_ASSETS)
        shutil.copytree(ASSETS, tmp / "assets", ignore=ignore)
        site: dict[str, Any] = {
            "dataset": dataset,
            "lang": lang,
            "levels": [d.level for d in data],
            "indicators": {d.level: [i["name"] for i in d.meta["indicators"]] for d in data},
        }
        if monitor:
            site["pages"] = list(MONITOR_PAGES)
        _write_payload(tmp, "site", site)
        _write_payload(tmp, "ui", _ui(with_monitor=monitor is not None))
        for level in data:
            _write_level(tmp, level)
        if monitor:
            _write_monitor(tmp, monitor)
        overview = _overview(dataset, data, lang)
        _write_json(tmp / "index.json", overview)
        _render_pages(tmp, overview, lang, with_monitor=monitor is not None)
        runs = {level.level: level.run for level in data}
        _write_json(tmp / MANIFEST, manifest(store, dataset, runs, tmp))
    return out


def payload_key(level: str | None, name: str) -> str:
    """Key of a payload in ``window.BZ_DATA`` and its path below ``data/`` (no suffix)."""
    return name if level is None else f"{level}/{name}"


def _write_level(root: Path, level: LevelData) -> None:
    _write_payload(root, payload_key(level.level, "meta"), level.meta)
    _write_payload(root, payload_key(level.level, "geo"), level.geo)
    for name, payload in level.indicators.items():
        _write_payload(root, payload_key(level.level, f"ind-{name}"), payload)


def _ui(*, with_monitor: bool) -> dict[str, dict[str, str]]:
    texts = ui_texts()
    if with_monitor:
        return texts
    return {
        lang: {k: v for k, v in table.items() if not k.startswith(MONITOR_UI_PREFIXES)}
        for lang, table in texts.items()
    }


def _write_monitor(root: Path, monitor: MonitorPages) -> None:
    """The monitor's payloads, and the twins of ``monitor.html`` and ``evaluation.html``."""
    _write_payload(root, payload_key("monitor", "meta"), monitor.meta)
    for name, payload in monitor.indicators.items():
        _write_payload(root, payload_key("monitor", f"ind-{name}"), payload)
    _write_payload(root, payload_key("monitor", "evaluation"), monitor.evaluation)
    _write_json(root / "monitor.json", monitor.twin())
    _write_json(root / "evaluation.json", monitor.evaluation)


def _write_payload(root: Path, key: str, payload: Any) -> None:
    """``data/<key>.json`` and its ``.js`` twin that stores the same object for file://."""
    path = root / "data" / key
    path.parent.mkdir(parents=True, exist_ok=True)
    body = _dumps(payload)
    path.with_suffix(".json").write_text(body, encoding="utf-8")
    script = f"(window.{DATA_GLOBAL}=window.{DATA_GLOBAL}||{{}})[{json.dumps(key)}]={body};\n"
    path.with_suffix(".js").write_text(script, encoding="utf-8")


def _write_json(path: Path, payload: Any) -> None:
    path.write_text(_dumps(payload), encoding="utf-8")


def _dumps(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _overview(dataset: str, data: list[LevelData], lang: str) -> dict[str, Any]:
    """The overview page's twin: per level the counts and the listed areas with reasons."""
    levels = {}
    for level in data:
        areas, c = level.meta["areas"], level.meta["classification"]
        counts: dict[str, int] = {}
        listed = []
        for i, status in enumerate(c["status"]):
            counts[status] = counts.get(status, 0) + 1
            if status in LISTED:
                listed.append(
                    {
                        "code": areas["code"][i],
                        "name": areas["name"][i],
                        "status": status,
                        "ratio": c["ratio"][i],
                        "ratio_low": c["ratio_low"][i],
                        "ratio_high": c["ratio_high"][i],
                        "p_low": c["p_low"][i],
                        "p_high": c["p_high"][i],
                        "reasons": c["reasons"][i],
                    }
                )
        listed.sort(key=lambda a: (LISTED.index(a["status"]), a["ratio"] or 0.0))
        levels[level.level] = {
            "areas": len(areas["code"]),
            "years": level.meta["years"],
            "reference_year": level.meta["reference_year"],
            "indicators": [i["name"] for i in level.meta["indicators"]],
            "counts": counts,
            "listed": listed,
        }
    return {"dataset": dataset, "lang": lang, "levels": levels}


def _render_pages(
    root: Path, overview: dict[str, Any], lang: str, *, with_monitor: bool = False
) -> None:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )

    def t(key: str, **fields: object) -> str:
        return text(key, lang, **fields)

    pages = ["index", "area", *(MONITOR_PAGES if with_monitor else ())]
    for page in pages:
        html = env.get_template(f"{page}.html").render(
            t=t, lang=lang, overview=overview, nav=with_monitor, page=page
        )
        (root / f"{page}.html").write_text(html, encoding="utf-8")
