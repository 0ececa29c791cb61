/* bluezones atlas: the profile of one area (area.html?code=GM0363). */
"use strict";
(function () {
  var BZ = window.BZ;
  var t = BZ.t, fmt = BZ.fmt;
  var SPINE = { width: 720, row: 34, left: 230, right: 150, min: 0.4, max: 2.5 };
  var TREND = { width: 420, height: 220, left: 40, right: 10, top: 10, bottom: 30 };

  function init() {
    BZ.applyTexts();
    BZ.langSwitch();
    document.getElementById("back").setAttribute("href", BZ.withParams("index.html"));
    var code = (BZ.params.get("code") || "").toUpperCase();
    var level = BZ.levelOf(code);
    if (!code || BZ.site.levels.indexOf(level) < 0) { notFound(code); return; }
    BZ.load(level + "/meta").then(function (meta) {
      var i = meta.areas.code.indexOf(code);
      if (i < 0) { notFound(code); return null; }
      var parts = meta.indicators.map(function (ind) { return BZ.load(level + "/ind-" + ind.name); });
      var parent = level === "wijk" && BZ.site.levels.indexOf("gemeente") >= 0
        ? BZ.load("gemeente/meta") : Promise.resolve(null);
      BZ.load(level + "/geo").then(function (geo) { locator(meta, i, geo); }).catch(function () {});
      return Promise.all([Promise.all(parts), parent]).then(function (got) {
        render(meta, i, got[0].map(BZ.expand), got[1]);
      });
    }).catch(function (err) {
      BZ.status(t("atlas.load_error", { error: err && err.message ? err.message : String(err) }));
      document.body.setAttribute("data-error", "1");
    });
  }

  function notFound(code) {
    BZ.status(t("atlas.area.not_found", { code: code }));
    document.getElementById("area-name").textContent = code;
    document.body.setAttribute("data-ready", "1");
  }

  function render(meta, i, payloads, parent) {
    var areas = meta.areas, c = meta.classification;
    document.title = areas.name[i] + " – " + t("atlas.title");
    document.getElementById("area-name").textContent = areas.name[i];
    var sub = areas.code[i];
    if (parent) {
      var p = parent.areas.code.indexOf(areas.gemeente[i]);
      if (p >= 0) { sub += " · " + t("atlas.area.in_gemeente", { name: parent.areas.name[p] }); }
    }
    document.getElementById("area-sub").textContent = sub;
    var badge = document.getElementById("area-status");
    badge.textContent = t("status." + c.status[i]);
    badge.className = "badge st-" + c.status[i];
    badge.setAttribute("data-status", c.status[i]);
    document.getElementById("area-reasons").textContent = BZ.reason(meta, i);
    var ev = meta.evidence[meta.primary] || meta.evidence[meta.indicators[0].name];
    var lasting = document.getElementById("area-lasting");
    lasting.textContent = BZ.indicatorLabel(meta, meta.primary) + ". " + t("atlas.area.lasting", {
      ratio: fmt(ev.ratio[i], 2), low: fmt(ev.ratio_low[i], 2), high: fmt(ev.ratio_high[i], 2),
      p_below: BZ.prob(ev.p_below[i]), p_above: BZ.prob(ev.p_above[i])
    });
    lasting.setAttribute("data-ratio", ev.ratio[i] === null ? "" : String(ev.ratio[i]));
    spine(meta, i, payloads);
    drivers(meta, i);
    trends(meta, i, payloads);
    yearly(meta, i);
    peers(meta, i);
    notes(meta, i, payloads);
    BZ.status("");
    document.body.setAttribute("data-code", areas.code[i]);
    document.body.setAttribute("data-ready", "1");
  }

  /* A small map: the area in the country, or among its gemeente's wijken. */
  function locator(meta, i, geo) {
    var box = document.getElementById("locator");
    var root = BZ.svg("svg", { viewBox: geo.view_box, "class": "locatorsvg" }, box);
    var same = [];
    geo.paths.forEach(function (d, k) {
      var p = BZ.svg("path", { d: d, "class": k === i ? "here" : "other" }, root);
      if (meta.level !== "gemeente" && meta.areas.gemeente[k] === meta.areas.gemeente[i]) { same.push(p); }
    });
    if (same.length) {
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      same.forEach(function (p) {
        var b = p.getBBox();
        x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y);
        x1 = Math.max(x1, b.x + b.width); y1 = Math.max(y1, b.y + b.height);
      });
      var pad = 0.1 * Math.max(x1 - x0, y1 - y0);
      root.setAttribute("viewBox", [x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad].join(" "));
    }
    root.appendChild(root.querySelector("path.here"));
  }

  function logX(r) {
    var v = Math.min(Math.max(r, SPINE.min), SPINE.max);
    var W = SPINE.width - SPINE.left - SPINE.right;
    return SPINE.left + W * (Math.log(v) - Math.log(SPINE.min)) / (Math.log(SPINE.max) - Math.log(SPINE.min));
  }

  function spine(meta, i, payloads) {
    var box = document.getElementById("spine");
    var h = SPINE.row * meta.indicators.length + 30;
    var root = BZ.svg("svg", { viewBox: "0 0 " + SPINE.width + " " + h, "class": "chart", role: "img",
      "aria-label": t("atlas.area.spine") }, box);
    var bottom = h - 22;
    [0.5, 0.67, 1, 1.5, 2].forEach(function (r) {
      BZ.svg("line", { x1: logX(r), x2: logX(r), y1: 4, y2: bottom, "class": r === 1 ? "ref" : "axis", opacity: r === 1 ? 1 : 0.15 }, root);
      BZ.svg("text", { x: logX(r), y: h - 6, "text-anchor": "middle" }, root).textContent = fmt(r, 2);
    });
    meta.indicators.forEach(function (ind, k) {
      var y = 4 + SPINE.row * k + SPINE.row / 2;
      var ev = meta.evidence[ind.name];
      BZ.svg("text", { x: 4, y: y + 4 }, root).textContent = ind.label[BZ.lang] || ind.label.nl;
      if (ev.ratio[i] !== null) {
        BZ.svg("line", { x1: logX(ev.ratio_low[i]), x2: logX(ev.ratio_high[i]), y1: y, y2: y, "class": "ci" }, root);
        BZ.svg("circle", { cx: logX(ev.ratio[i]), cy: y, r: 5, "class": "pt", fill: BZ.ratioColour(ev.ratio[i]), stroke: "#333" }, root);
        BZ.svg("text", { x: SPINE.width - SPINE.right + 8, y: y + 4 }, root).textContent =
          fmt(ev.ratio[i], 2) + " · ↓" + BZ.prob(ev.p_below[i]) + " ↑" + BZ.prob(ev.p_above[i]);
      } else {
        BZ.svg("text", { x: SPINE.width - SPINE.right + 8, y: y + 4 }, root).textContent = t("atlas.tip.missing");
      }
      var years = meta.years;
      var last = payloads[k].years[String(years[years.length - 1])];
      if (last && last.r[i] !== null) {
        BZ.svg("circle", { cx: logX(last.r[i]), cy: y, r: 4, "class": "last" }, root);
      }
    });
  }

  function trends(meta, i, payloads) {
    var box = document.getElementById("trends");
    var years = meta.years;
    var W = TREND.width - TREND.left - TREND.right, H = TREND.height - TREND.top - TREND.bottom;
    var step = W / Math.max(years.length, 1);
    var sx = function (k) { return TREND.left + step * (k + 0.5); };
    meta.indicators.forEach(function (ind, k) {
      var payload = payloads[k], ev = meta.evidence[ind.name];
      var sec = BZ.el("section", { "class": "trend", "data-indicator": ind.name }, null, box);
      BZ.el("h3", null, ind.label[BZ.lang] || ind.label.nl, sec);
      var ymax = 2;
      years.forEach(function (y) {
        var v = payload.years[String(y)];
        if (v.hi[i] !== null) { ymax = Math.max(ymax, Math.min(v.hi[i], 4)); }
      });
      var sy = function (r) { return TREND.top + H * (1 - Math.min(r, ymax) / ymax); };
      var root = BZ.svg("svg", { viewBox: "0 0 " + TREND.width + " " + TREND.height, "class": "chart", role: "img",
        "aria-label": (ind.label[BZ.lang] || ind.label.nl) + ": " + t("atlas.area.trend") }, sec);
      if (ev.ratio_low[i] !== null) {
        BZ.svg("rect", { x: TREND.left, width: W, y: sy(ev.ratio_high[i]),
          height: Math.max(1, sy(ev.ratio_low[i]) - sy(ev.ratio_high[i])), "class": "band" }, root);
      }
      BZ.svg("line", { x1: TREND.left, x2: TREND.left + W, y1: sy(1), y2: sy(1), "class": "ref" }, root);
      BZ.svg("line", { x1: TREND.left, x2: TREND.left, y1: TREND.top, y2: TREND.top + H, "class": "axis" }, root);
      for (var r = 0; r <= ymax + 1e-9; r += 0.5) {
        BZ.svg("text", { x: TREND.left - 4, y: sy(r) + 4, "text-anchor": "end" }, root).textContent = fmt(r, 1);
      }
      Object.keys(meta.trend_breaks).forEach(function (by, kbreak) {
        var kb = years.indexOf(Number(by));
        if (kb <= 0) { return; }
        var x = sx(kb) - step / 2;
        var line = BZ.svg("line", { x1: x, x2: x, y1: TREND.top, y2: TREND.top + H, "class": "brk",
          "data-year": by }, root);
        BZ.svg("title", null, line).textContent = t("atlas.area.break") + " " + by + ": " + meta.trend_breaks[by];
        BZ.svg("text", { x: x + 3, y: TREND.top + 10 + 12 * kbreak, "class": "brk-label" }, root).textContent =
          t("atlas.area.break") + " " + by;
      });
      var details = BZ.el("details", null, null, sec);
      BZ.el("summary", null, t("atlas.area.values"), details);
      var table = BZ.el("table", { "class": "values" }, null, details);
      var head = BZ.el("tr", null, null, BZ.el("thead", null, null, table));
      ["atlas.col.year", "atlas.col.n", "atlas.col.observed", "atlas.col.expected", "atlas.col.ratio", "atlas.col.interval"].forEach(function (key) {
        BZ.el("th", null, t(key), head);
      });
      var tbody = BZ.el("tbody", null, null, table);
      years.forEach(function (y, ky) {
        var v = payload.years[String(y)], n = BZ.denominator(meta, ind.name, y);
        var x = sx(ky);
        BZ.svg("text", { x: x, y: TREND.height - 10, "text-anchor": "middle" }, root).textContent = String(y).slice(2);
        if (v.r[i] !== null) {
          BZ.svg("line", { x1: x, x2: x, y1: sy(v.hi[i]), y2: sy(v.lo[i]), "class": "ci" }, root);
          var dot = BZ.svg("circle", { cx: x, cy: sy(v.r[i]), r: 4, "class": "pt", "data-year": String(y) }, root);
          BZ.svg("title", null, dot).textContent = y + ": " + fmt(v.r[i], 2) + " (" + fmt(v.lo[i], 2) + "–" + fmt(v.hi[i], 2) + ")";
        }
        var tr = BZ.el("tr", { "data-year": String(y) }, null, tbody);
        BZ.el("td", null, String(y), tr);
        BZ.el("td", { "class": "num" }, fmt(n[i], 0), tr);
        BZ.el("td", { "class": "num" }, fmt(v.o[i], 0), tr);
        BZ.el("td", { "class": "num" }, fmt(v.e[i], 1), tr);
        BZ.el("td", { "class": "num ratio", "data-value": v.r[i] === null ? "" : String(v.r[i]) }, fmt(v.r[i], 2), tr);
        BZ.el("td", { "class": "num" }, v.lo[i] === null ? "–" : fmt(v.lo[i], 2) + "–" + fmt(v.hi[i], 2), tr);
      });
    });
  }

  /* Each covariate's factor on the primary indicator's expectation, largest first. */
  function drivers(meta, i) {
    var cov = meta.covariates;
    var name = meta.primary;
    if (!cov || !cov.beta[name]) { return; }
    var rows = cov.terms.map(function (term, k) {
      var x = cov.values[term.measure][i];
      var tx = x === null ? null : (term.transform === "log" ? (x > 0 ? Math.log(x) : null) : x);
      var factor = tx === null ? null : Math.exp(cov.beta[name][k] * (tx - cov.mean[k]) / cov.sd[k]);
      var average = term.transform === "log" ? Math.exp(cov.mean[k]) : cov.mean[k];
      return { term: term, x: x, average: average, factor: factor };
    });
    rows.sort(function (a, b) {
      var fa = a.factor === null ? 0 : Math.abs(Math.log(a.factor));
      var fb = b.factor === null ? 0 : Math.abs(Math.log(b.factor));
      return fb - fa;
    });
    var body = document.querySelector("#drivers tbody");
    rows.forEach(function (r) {
      var tr = BZ.el("tr", { "data-term": r.term.term }, null, body);
      BZ.el("td", null, r.term.label[BZ.lang] || r.term.label.nl, tr);
      BZ.el("td", { "class": "num" }, fmt(r.x, 1), tr);
      BZ.el("td", { "class": "num" }, fmt(r.average, 1), tr);
      BZ.el("td", { "class": "num" }, r.factor === null ? "–" : "×" + fmt(r.factor, 2), tr);
    });
    document.getElementById("drivers-title").textContent = t("atlas.area.drivers", {
      indicator: BZ.indicatorLabel(meta, name), year: cov.year
    });
    document.getElementById("drivers-section").hidden = false;
  }

  function yearly(meta, i) {
    var box = document.getElementById("yearly");
    meta.years.forEach(function (y) {
      var code = (meta.yearly_status[String(y)] || [])[i];
      var s = code === null || code === undefined ? null : meta.statuses[code];
      var li = BZ.el("li", null, String(y) + " ", box);
      BZ.el("span", { "class": "badge st-" + (s || "too_small") }, s ? t("status." + s) : "–", li);
    });
  }

  function peers(meta, i) {
    var box = document.getElementById("peers"), c = meta.classification;
    (meta.peers[i] || []).forEach(function (j) {
      var li = BZ.el("li", null, null, box);
      BZ.el("a", { href: BZ.withParams("area.html", { code: meta.areas.code[j] }) }, meta.areas.name[j], li);
      BZ.el("span", { "class": "code" }, " " + meta.areas.code[j] + " · ", li);
      BZ.el("span", { "class": "badge st-" + c.status[j] }, t("status." + c.status[j]), li);
      BZ.el("span", null, " " + fmt(c.ratio[j], 2), li);
    });
  }

  function notes(meta, i, payloads) {
    var box = document.getElementById("notes");
    meta.indicators.forEach(function (ind, k) {
      var byNote = {};
      meta.years.forEach(function (y) {
        var v = payloads[k].years[String(y)];
        if ((v.f[i] & 1) === 0) { (byNote[BZ.noteOf(v.f[i])] = byNote[BZ.noteOf(v.f[i])] || []).push(y); }
      });
      Object.keys(byNote).forEach(function (n) {
        BZ.el("li", { "class": "note-missing" }, t("atlas.area.note_missing", {
          indicator: ind.label[BZ.lang] || ind.label.nl, years: byNote[n].join(", "),
          reason: meta.notes[Number(n)] || t("atlas.tip.missing")
        }), box);
      });
    });
    (meta.mergers[String(i)] || []).forEach(function (m) {
      var key = m.weight < 1 ? "atlas.area.note_merger_part" : "atlas.area.note_merger";
      BZ.el("li", { "class": "note-merger" }, t(key, {
        year: m.year, name: m.name, code: m.code, share: BZ.pct(m.weight), reference: meta.reference_year
      }), box);
    });
    if (meta.spatial.cluster[i] === "eiland") { BZ.el("li", null, t("atlas.area.note_island"), box); }
    Object.keys(meta.trend_breaks).forEach(function (y) {
      BZ.el("li", null, t("atlas.area.break") + " " + y + ": " + meta.trend_breaks[y], box);
    });
    BZ.el("li", null, t("atlas.area.note_provisional", { year: meta.years[meta.years.length - 1] }), box);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
