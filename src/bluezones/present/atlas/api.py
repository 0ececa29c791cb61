"""The JSON API of ``bluezones serve``, answered from a built site's own JSON files.

``/api/areas?level=gemeente`` lists a level's areas with their classification;
``/api/area/GM0363`` gives one area's profile (the twin of ``area.html?code=GM0363``):
classification, lasting effects, every indicator's yearly values, peers.
``/api/overview`` is ``index.html``'s twin; with monitor results, ``/api/monitor``
(``monitor.html``), ``/api/monitor/ots`` (one indicator), ``/api/evaluation``
(``evaluation.html``) and ``/api/evaluation/ots`` (one evaluated indicator).
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

from bluezones.i18n import text

__all__ = ["AREA_CODE", "ApiError", "SiteData"]

#: What an indicator name looks like (``ots``, ``share_met_verblijf``).
INDICATOR_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
#: What an area code looks like (GM0363, WK036300, BU03630000).
AREA_CODE = re.compile(r"^(GM|WK|BU)[0-9]{4,8}$")
_LEVEL_OF_PREFIX = {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}
_NOTE_SHIFT = 5


class ApiError(Exception):
    """A request the API cannot answer; ``status`` is the HTTP status to send."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class SiteData:
    """Reads (and caches) the JSON payloads of a built atlas."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()

    def payload(self, key: str) -> Any:
        with self._lock:
            if key not in self._cache:
                path = self.root / "data" / f"{key}.json"
                self._cache[key] = json.loads(path.read_text(encoding="utf-8"))
            return self._cache[key]

    def page(self, name: str) -> Any:
        """A page's twin (``index.json``, ``monitor.json``, ``evaluation.json``), cached."""
        key = f"page:{name}"
        with self._lock:
            if key not in self._cache:
                path = self.root / f"{name}.json"
                if not path.is_file():
                    raise ApiError(404, f"the atlas has no {name} page; run 'bluezones monitor'")
                self._cache[key] = json.loads(path.read_text(encoding="utf-8"))
            return self._cache[key]

    def monitor_indicator(self, name: str) -> dict[str, Any]:
        """One monitor indicator: its definition and values per level, year and region."""
        monitor = self.page("monitor")
        spec = [i for i in monitor["indicators"] if i["name"] == name]
        if not INDICATOR_NAME.match(name) or not spec:
            known = ", ".join(i["name"] for i in monitor["indicators"])
            raise ApiError(404, f"unknown monitor indicator {name!r}; known: {known}")
        return {
            "indicator": spec[0],
            "years": monitor["years"],
            "areas": monitor["areas"],
            "pilots": monitor["pilots"],
            **monitor["values"][name],
        }

    def evaluation(self, name: str) -> dict[str, Any]:
        """One evaluated indicator: estimates, event study, synthetic control, texts."""
        evaluation = self.page("evaluation")
        if name not in evaluation["results"]:
            known = ", ".join(evaluation["indicators"])
            raise ApiError(404, f"no evaluation of {name!r}; evaluated: {known}")
        return dict(evaluation["results"][name])

    def levels(self) -> list[str]:
        return list(self.payload("site")["levels"])

    def areas(self, level: str) -> dict[str, Any]:
        """Every area of ``level`` with its classification."""
        if level not in self.levels():
            raise ApiError(404, f"unknown level {level!r}; known: {', '.join(self.levels())}")
        meta = self.payload(f"{level}/meta")
        c, areas = meta["classification"], meta["areas"]
        rows = [
            {
                "code": code,
                "name": areas["name"][i],
                "gemeente": areas["gemeente"][i],
                "status": c["status"][i],
                "ratio": c["ratio"][i],
                "ratio_low": c["ratio_low"][i],
                "ratio_high": c["ratio_high"][i],
                "p_below": c["p_below"][i],
                "p_above": c["p_above"][i],
                "reasons": self.reason(meta, i),
            }
            for i, code in enumerate(areas["code"])
        ]
        return {"level": level, "reference_year": meta["reference_year"], "areas": rows}

    def reason(self, meta: dict[str, Any], i: int) -> str:
        """The classification's explanation; the site leaves the plain ones to the browser."""
        c = meta["classification"]
        if c["reasons"][i]:
            return str(c["reasons"][i])
        lang = self.payload("site")["lang"]
        return text(
            "atlas.reason.as_expected",
            lang,
            p_below=f"{c['p_below'][i]:.0%}",
            p_above=f"{c['p_above'][i]:.0%}",
        )

    def area(self, code: str) -> dict[str, Any]:
        """One area's profile: classification, evidence, yearly values, peers."""
        if not AREA_CODE.match(code):
            raise ApiError(404, f"{code!r} is not an area code such as GM0363")
        level = _LEVEL_OF_PREFIX[code[:2]]
        if level not in self.levels():
            raise ApiError(404, f"the atlas has no {level} level")
        meta = self.payload(f"{level}/meta")
        try:
            i = meta["areas"]["code"].index(code)
        except ValueError:
            raise ApiError(404, f"area {code} is not in the atlas") from None
        pick = {k: v[i] for k, v in meta["classification"].items()}
        pick["reasons"] = self.reason(meta, i)
        evidence = {name: {k: v[i] for k, v in ev.items()} for name, ev in meta["evidence"].items()}
        values = {ind["name"]: self._values(level, meta, ind, i) for ind in meta["indicators"]}
        statuses = meta["statuses"]
        return {
            "code": code,
            "name": meta["areas"]["name"][i],
            "level": level,
            "gemeente": meta["areas"]["gemeente"][i],
            "jeugdregio": meta["areas"]["jeugdregio"][i],
            "classification": pick,
            "evidence": evidence,
            "values": values,
            "yearly_status": {
                year: None if row[i] is None else statuses[row[i]]
                for year, row in meta["yearly_status"].items()
            },
            "peers": [meta["areas"]["code"][j] for j in meta["peers"][i]],
            "cluster": meta["spatial"]["cluster"][i],
        }

    def _values(
        self, level: str, meta: dict[str, Any], ind: dict[str, Any], i: int
    ) -> dict[str, Any]:
        payload = self.payload(f"{level}/ind-{ind['name']}")
        denominators = meta["denominators"][ind["denominator"]]
        out = {}
        for year, v in payload["years"].items():
            flags = v["f"][i]
            usable = bool(flags & 1)
            k = sum(f & 1 for f in v["f"][:i])  # position among the usable cells
            out[year] = {
                "n": denominators[year][i],
                "observed": v["o"][i],
                "expected": v["e"][i],
                "ratio": v["r"][k] if usable else None,
                "ratio_low": v["lo"][k] if usable else None,
                "ratio_high": v["hi"][k] if usable else None,
                "usable": usable,
                "note": meta["notes"][flags >> _NOTE_SHIFT],
            }
        return out
