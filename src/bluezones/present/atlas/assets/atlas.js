/* bluezones atlas: the overview page (four linked maps, funnel plot, list, table). */
"use strict";
(function () {
  var BZ = window.BZ;
  var t = BZ.t, fmt = BZ.fmt;
  var MAPS = ["observed", "expected", "ratio", "status"];
  var LISTED = ["bluezone", "escalation", "high"];
  var TABLE_LIMIT = 250;
  var FUNNEL = { width: 640, height: 380, left: 52, right: 12, top: 12, bottom: 44 };
  var FUNNEL_Y_MAX = 3;

  var state = { level: null, indicator: null, year: null, selected: -1, sort: "rank", asc: true, query: "" };
  var level = null;   /* {meta, geo, paths: {map: [path]}, circles: [circle]} */
  var values = null;  /* the indicator payload */
  var rateBreaks = [];
  var nodes = {};

  function readHash() {
    var h = new URLSearchParams(window.location.hash.slice(1));
    return { level: h.get("level"), indicator: h.get("indicator"), year: h.get("year"), area: h.get("area") };
  }
  function writeHash() {
    var h = new URLSearchParams();
    h.set("level", state.level);
    h.set("indicator", state.indicator);
    h.set("year", String(state.year));
    if (state.selected >= 0) { h.set("area", level.meta.areas.code[state.selected]); }
    history.replaceState(null, "", "#" + h.toString());
    BZ.langSwitch();
  }

  function init() {
    BZ.applyTexts();
    BZ.langSwitch();
    BZ.defs();
    nodes.level = document.getElementById("level");
    nodes.indicator = document.getElementById("indicator");
    nodes.year = document.getElementById("year");
    nodes.yearOut = document.getElementById("year-out");
    nodes.tooltip = document.getElementById("tooltip");
    nodes.tbody = document.querySelector("#areas tbody");
    nodes.statusYearly = document.getElementById("status-yearly");
    nodes.statusYearly.addEventListener("change", function () { if (level && values) { drawStatus(); } });
    BZ.site.levels.forEach(function (name) {
      BZ.el("option", { value: name }, t("atlas.level." + name), nodes.level);
    });
    var wanted = readHash();
    state.level = BZ.site.levels.indexOf(wanted.level) >= 0 ? wanted.level : BZ.site.levels[0];
    nodes.level.value = state.level;
    nodes.level.addEventListener("change", function () { switchLevel(nodes.level.value, {}); });
    nodes.indicator.addEventListener("change", function () { switchIndicator(nodes.indicator.value); });
    nodes.year.addEventListener("input", function () {
      state.year = level.meta.years[Number(nodes.year.value)];
      render();
    });
    document.getElementById("search").addEventListener("input", function (ev) {
      state.query = ev.target.value.trim().toLowerCase();
      renderTable();
    });
    document.querySelectorAll("#areas thead button").forEach(function (b) {
      b.addEventListener("click", function () {
        var key = b.getAttribute("data-sort");
        state.asc = state.sort === key ? !state.asc : true;
        state.sort = key;
        renderTable();
      });
    });
    document.getElementById("controls").addEventListener("submit", function (ev) { ev.preventDefault(); });
    switchLevel(state.level, wanted);
  }

  function fail(err) {
    BZ.status(t("atlas.load_error", { error: err && err.message ? err.message : String(err) }));
    document.body.setAttribute("data-error", "1");
  }

  function switchLevel(name, wanted) {
    state.level = name;
    document.body.removeAttribute("data-ready");
    BZ.status(t("atlas.loading"));
    Promise.all([BZ.load(name + "/meta"), BZ.load(name + "/geo")]).then(function (parts) {
      level = { meta: parts[0], geo: parts[1], paths: {}, circles: [] };
      buildMaps();
      buildFunnel();
      BZ.clear(nodes.indicator);
      level.meta.indicators.forEach(function (ind) {
        BZ.el("option", { value: ind.name }, ind.label[BZ.lang] || ind.label.nl, nodes.indicator);
      });
      var names = level.meta.indicators.map(function (i) { return i.name; });
      var ind = names.indexOf(wanted.indicator) >= 0 ? wanted.indicator
        : (names.indexOf(state.indicator) >= 0 ? state.indicator
          : (names.indexOf(level.meta.primary) >= 0 ? level.meta.primary : names[0]));
      var years = level.meta.years;
      nodes.year.max = String(years.length - 1);
      var y = Number(wanted.year || state.year);
      state.year = years.indexOf(y) >= 0 ? y : years[years.length - 1];
      nodes.year.value = String(years.indexOf(state.year));
      state.selected = wanted.area ? level.meta.areas.code.indexOf(wanted.area) : -1;
      renderListed();
      return switchIndicator(ind);
    }).catch(fail);
  }

  function switchIndicator(name) {
    state.indicator = name;
    nodes.indicator.value = name;
    return BZ.load(state.level + "/ind-" + name).then(function (payload) {
      values = BZ.expand(payload);
      rateBreaks = computeRateBreaks();
      render();
      BZ.status("");
    }).catch(fail);
  }

  /* Sextile breaks of the observed rates over all years, so years share one scale. */
  function computeRateBreaks() {
    var per = perOf(state.indicator), rates = [];
    Object.keys(values.years).forEach(function (y) {
      var v = values.years[y], n = BZ.denominator(level.meta, state.indicator, y);
      for (var i = 0; i < v.o.length; i += 1) {
        if (v.o[i] !== null && n[i]) { rates.push(per * v.o[i] / n[i]); }
      }
    });
    rates.sort(function (a, b) { return a - b; });
    var out = [];
    for (var k = 1; k < BZ.RATE_COLOURS.length; k += 1) {
      out.push(rates.length ? rates[Math.floor(k * (rates.length - 1) / BZ.RATE_COLOURS.length)] : k);
    }
    return out;
  }

  function perOf(name) {
    var ind = level.meta.indicators.filter(function (i) { return i.name === name; })[0];
    return ind ? ind.per : 100;
  }

  /* ---------------------------------------------------------------- maps */

  function buildMaps() {
    var areas = level.meta.areas;
    MAPS.forEach(function (kind) {
      var box = document.querySelector('.map[data-map="' + kind + '"] .svg');
      BZ.clear(box);
      var root = BZ.svg("svg", { viewBox: level.geo.view_box, role: "group",
        "aria-label": t("atlas.map." + kind), "class": "mapsvg" }, box);
      var g = BZ.svg("g", null, root);
      var paths = [];
      level.geo.paths.forEach(function (d, i) {
        var p = BZ.svg("path", { d: d, "data-i": String(i), "data-code": areas.code[i], "class": "area" }, g);
        if (kind === "ratio") {
          p.setAttribute("tabindex", "0");
          p.setAttribute("role", "link");
          p.setAttribute("aria-label", areas.name[i]);
        }
        paths.push(p);
      });
      level.paths[kind] = paths;
      if (level.geo.outlines && level.geo.outlines.length) {
        var outline = BZ.svg("g", { "class": "outlines", "aria-hidden": "true" }, root);
        level.geo.outlines.forEach(function (d) { BZ.svg("path", { d: d }, outline); });
      }
      root.addEventListener("pointermove", function (ev) {
        var i = indexOf(ev.target);
        if (i < 0) { hideTip(); return; }
        hover(i);
        showTip(i, ev.clientX, ev.clientY);
      });
      root.addEventListener("pointerleave", function () { hover(-1); hideTip(); });
      root.addEventListener("click", function (ev) {
        var i = indexOf(ev.target);
        if (i >= 0) { select(i); }
      });
      root.addEventListener("focusin", function (ev) {
        var i = indexOf(ev.target);
        if (i < 0) { return; }
        var r = ev.target.getBoundingClientRect();
        ev.target.setAttribute("aria-describedby", "tooltip");
        hover(i);
        showTip(i, r.left + r.width / 2, r.top + r.height / 2);
      });
      root.addEventListener("focusout", function () { hover(-1); hideTip(); });
      root.addEventListener("keydown", function (ev) {
        var i = indexOf(ev.target);
        if (i >= 0 && (ev.key === "Enter" || ev.key === " ")) {
          ev.preventDefault();
          window.location.href = profileUrl(i);
        }
      });
    });
  }

  function indexOf(target) {
    return target && target.getAttribute && target.hasAttribute("data-i") ? Number(target.getAttribute("data-i")) : -1;
  }

  function profileUrl(i) {
    return BZ.withParams("area.html", { code: level.meta.areas.code[i] });
  }

  var hovered = -1;
  function hover(i) {
    if (hovered === i) { return; }
    if (hovered >= 0) { MAPS.forEach(function (k) { level.paths[k][hovered].classList.remove("hl"); }); }
    hovered = i;
    if (i >= 0) {
      MAPS.forEach(function (k) {
        var p = level.paths[k][i];
        p.classList.add("hl");
      });
    }
  }

  function cell(i) {
    var v = values.years[String(state.year)], n = BZ.denominator(level.meta, state.indicator, state.year);
    return { n: n[i], o: v.o[i], e: v.e[i], r: v.r[i], lo: v.lo[i], hi: v.hi[i], f: v.f[i], note: BZ.noteOf(v.f[i]) };
  }

  function render() {
    var started = performance.now();
    var per = perOf(state.indicator), meta = level.meta;
    nodes.yearOut.textContent = String(state.year);
    var v = values.years[String(state.year)], n = BZ.denominator(meta, state.indicator, state.year);
    for (var i = 0; i < meta.areas.code.length; i += 1) {
      var usable = (v.f[i] & 1) === 1;
      var obs = usable && n[i] ? per * v.o[i] / n[i] : null;
      var exp = v.e[i] !== null && n[i] ? per * v.e[i] / n[i] : null;
      level.paths.observed[i].setAttribute("fill", obs === null ? BZ.HATCH : BZ.RATE_COLOURS[BZ.classify(obs, rateBreaks)]);
      level.paths.expected[i].setAttribute("fill", exp === null ? BZ.HATCH : BZ.RATE_COLOURS[BZ.classify(exp, rateBreaks)]);
      var rp = level.paths.ratio[i];
      rp.setAttribute("fill", usable ? BZ.ratioColour(v.r[i]) : BZ.HATCH);
      rp.classList.toggle("flag", (v.f[i] & 6) !== 0);
    }
    drawStatus();
    renderLegends(per);
    renderFunnel();
    renderTable();
    renderSelected();
    writeHash();
    var body = document.body;
    body.setAttribute("data-level", state.level);
    body.setAttribute("data-indicator", state.indicator);
    body.setAttribute("data-year", String(state.year));
    body.setAttribute("data-ready", "1");
    window.BZ_RENDER_MS = performance.now() - started;
  }

  /* The lasting classification (all years; drawn once per level) or that of the chosen year. */
  function drawStatus() {
    var meta = level.meta, yearly = nodes.statusYearly.checked;
    var key = yearly ? String(state.year) : "all";
    if (level.statusDrawn === key) { return; }
    var row = yearly ? (meta.yearly_status[key] || []) : null;
    for (var k = 0; k < meta.areas.code.length; k += 1) {
      var s = yearly ? (row[k] === null || row[k] === undefined ? null : meta.statuses[row[k]]) : meta.classification.status[k];
      level.paths.status[k].setAttribute("fill", (s && BZ.STATUS_COLOURS[s]) || BZ.HATCH);
    }
    document.getElementById("status-caption").textContent = yearly
      ? t("atlas.map.status_year", { year: state.year }) : t("atlas.map.status");
    level.statusDrawn = key;
  }

  function swatch(colour, parent) {
    var s = BZ.el("span", { "class": "swatch" }, null, parent);
    if (colour === BZ.HATCH) { s.classList.add("hatch"); } else { s.style.backgroundColor = colour; }
    return s;
  }

  function renderLegends(per) {
    ["observed", "expected"].forEach(function (kind) {
      var box = document.querySelector('.map[data-map="' + kind + '"] .legend');
      BZ.clear(box);
      BZ.el("span", { "class": "unit" }, t("atlas.legend.rate", { per: per }), box);
      BZ.RATE_COLOURS.forEach(function (colour, k) {
        var item = BZ.el("span", { "class": "item" }, null, box);
        swatch(colour, item);
        var label = k === 0 ? "< " + fmt(rateBreaks[0], 1) : "≥ " + fmt(rateBreaks[k - 1], 1);
        BZ.el("span", null, label, item);
      });
      var miss = BZ.el("span", { "class": "item" }, null, box);
      swatch(BZ.HATCH, miss);
      BZ.el("span", null, t("atlas.tip.missing"), miss);
    });
    var ratioBox = document.querySelector('.map[data-map="ratio"] .legend');
    BZ.clear(ratioBox);
    BZ.el("span", { "class": "unit" }, t("atlas.legend.lower"), ratioBox);
    BZ.RATIO_COLOURS.forEach(function (colour, k) {
      var item = BZ.el("span", { "class": "item" }, null, ratioBox);
      swatch(colour, item);
      var b = BZ.RATIO_BREAKS;
      var label = k === 0 ? "< " + fmt(b[0], 2) : (k === b.length ? "≥ " + fmt(b[k - 1], 2) : fmt(b[k - 1], 2) + "–" + fmt(b[k], 2));
      BZ.el("span", null, label, item);
    });
    BZ.el("span", { "class": "unit" }, t("atlas.legend.higher"), ratioBox);
    var statusBox = document.querySelector('.map[data-map="status"] .legend');
    BZ.clear(statusBox);
    BZ.STATUS_ORDER.forEach(function (s) {
      var item = BZ.el("span", { "class": "item" }, null, statusBox);
      swatch(BZ.STATUS_COLOURS[s], item);
      BZ.el("span", null, t("status." + s), item);
    });
  }

  function tipLines(i) {
    var meta = level.meta, x = cell(i), per = perOf(state.indicator);
    var lines = [meta.areas.name[i] + " (" + meta.areas.code[i] + ")"];
    lines.push(BZ.indicatorLabel(meta, state.indicator) + ", " + state.year);
    lines.push(t("atlas.tip.n") + ": " + fmt(x.n, 0));
    if ((x.f & 1) === 1) {
      lines.push(t("atlas.tip.observed") + ": " + fmt(x.o, 0) + " (" + fmt(per * x.o / x.n, 1) + " " + t("atlas.legend.rate", { per: per }) + ")");
      lines.push(t("atlas.tip.expected") + ": " + fmt(x.e, 1) + " (" + fmt(per * x.e / x.n, 1) + ")");
      lines.push(t("atlas.tip.ratio") + ": " + fmt(x.r, 2) + " (" + t("atlas.tip.interval") + " " + fmt(x.lo, 2) + "–" + fmt(x.hi, 2) + ")");
    } else {
      lines.push(t("atlas.tip.expected") + ": " + fmt(x.e, 1));
      lines.push(t("atlas.tip.missing") + (meta.notes[x.note] ? ": " + meta.notes[x.note] : ""));
    }
    lines.push(t("atlas.col.status") + ": " + t("status." + meta.classification.status[i]));
    if (meta.spatial.cluster[i] === "eiland") { lines.push(t("atlas.tip.island")); }
    return lines;
  }

  function showTip(i, x, y) {
    var tip = nodes.tooltip;
    BZ.clear(tip);
    tipLines(i).forEach(function (line, k) { BZ.el(k === 0 ? "strong" : "div", null, line, tip); });
    tip.hidden = false;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var left = Math.min(x + 14, window.innerWidth - w - 8), top = Math.min(y + 14, window.innerHeight - h - 8);
    tip.style.left = Math.max(4, left) + "px";
    tip.style.top = Math.max(4, top) + "px";
  }
  function hideTip() { nodes.tooltip.hidden = true; }

  /* -------------------------------------------------------------- select */

  function select(i) {
    var old = state.selected;
    state.selected = i;
    if (old >= 0) {
      MAPS.forEach(function (k) { level.paths[k][old].classList.remove("sel"); });
      if (level.circles[old]) { level.circles[old].classList.remove("sel"); }
    }
    renderSelected();
    renderTable();
    writeHash();
  }

  function renderSelected() {
    var box = document.getElementById("selected");
    var i = state.selected;
    if (i < 0) { box.hidden = true; return; }
    MAPS.forEach(function (k) {
      var p = level.paths[k][i];
      p.classList.add("sel");
      p.parentNode.appendChild(p);
    });
    if (level.circles[i]) {
      level.circles[i].classList.add("sel");
      level.circles[i].parentNode.appendChild(level.circles[i]);
    }
    box.hidden = false;
    var textNode = document.getElementById("selected-text");
    BZ.clear(textNode);
    tipLines(i).forEach(function (line, k) {
      BZ.el(k === 0 ? "strong" : "span", { "class": "line" }, line, textNode);
    });
    var x = cell(i);
    textNode.setAttribute("data-ratio", x.r === null ? "" : String(x.r));
    textNode.setAttribute("data-code", level.meta.areas.code[i]);
    document.getElementById("selected-link").setAttribute("href", profileUrl(i));
  }

  /* -------------------------------------------------------------- funnel */

  function buildFunnel() {
    var box = document.getElementById("funnel");
    BZ.clear(box);
    var root = BZ.svg("svg", { viewBox: "0 0 " + FUNNEL.width + " " + FUNNEL.height, "class": "funnelsvg",
      role: "img", "aria-label": t("atlas.funnel.title") }, box);
    level.funnel = { root: root, axes: BZ.svg("g", { "class": "axes" }, root),
      limits: BZ.svg("g", { "class": "limits" }, root), points: BZ.svg("g", { "class": "points" }, root) };
    level.circles = level.meta.areas.code.map(function (code, i) {
      var c = BZ.svg("circle", { r: "3.5", "data-i": String(i), "data-code": code, "class": "pt" }, level.funnel.points);
      return c;
    });
    level.funnel.points.addEventListener("click", function (ev) {
      var i = indexOf(ev.target);
      if (i >= 0) { select(i); }
    });
    level.funnel.points.addEventListener("pointermove", function (ev) {
      var i = indexOf(ev.target);
      if (i >= 0) { hover(i); showTip(i, ev.clientX, ev.clientY); }
    });
    level.funnel.points.addEventListener("pointerleave", function () { hover(-1); hideTip(); });
  }

  function renderFunnel() {
    var f = level.funnel, v = values.years[String(state.year)], curves = values.funnel[String(state.year)];
    var lo = Infinity, hi = 0, ymax = 2;
    for (var i = 0; i < v.e.length; i += 1) {
      if ((v.f[i] & 1) === 1 && v.e[i] > 0) {
        lo = Math.min(lo, v.e[i]); hi = Math.max(hi, v.e[i]);
        ymax = Math.max(ymax, v.r[i] * 1.05);
      }
    }
    ymax = Math.min(FUNNEL_Y_MAX, ymax);
    if (!isFinite(lo)) { lo = 1; hi = 10; }
    var lx0 = Math.log(lo / 1.2), lx1 = Math.log(hi * 1.2);
    var W = FUNNEL.width - FUNNEL.left - FUNNEL.right, H = FUNNEL.height - FUNNEL.top - FUNNEL.bottom;
    var sx = function (e) { return FUNNEL.left + W * (Math.log(e) - lx0) / (lx1 - lx0); };
    var sy = function (r) { return FUNNEL.top + H * (1 - Math.min(r, ymax) / ymax); };
    BZ.clear(f.axes);
    BZ.clear(f.limits);
    BZ.svg("line", { x1: FUNNEL.left, x2: FUNNEL.left + W, y1: sy(1), y2: sy(1), "class": "target" }, f.axes);
    BZ.svg("line", { x1: FUNNEL.left, x2: FUNNEL.left, y1: FUNNEL.top, y2: FUNNEL.top + H, "class": "axis" }, f.axes);
    BZ.svg("line", { x1: FUNNEL.left, x2: FUNNEL.left + W, y1: FUNNEL.top + H, y2: FUNNEL.top + H, "class": "axis" }, f.axes);
    for (var r = 0; r <= ymax + 1e-9; r += 0.5) {
      BZ.svg("text", { x: FUNNEL.left - 6, y: sy(r) + 4, "text-anchor": "end", "class": "tick" }, f.axes).textContent = fmt(r, 1);
    }
    var decade = Math.pow(10, Math.floor(Math.log10(lo / 1.2)));
    for (var e = decade; e <= hi * 1.2; e *= 10) {
      [1, 2, 5].forEach(function (m) {
        var x = e * m;
        if (x >= lo / 1.2 && x <= hi * 1.2) {
          BZ.svg("text", { x: sx(x), y: FUNNEL.top + H + 16, "text-anchor": "middle", "class": "tick" }, f.axes).textContent = fmt(x, 0);
        }
      });
    }
    BZ.svg("text", { x: FUNNEL.left + W / 2, y: FUNNEL.height - 6, "text-anchor": "middle", "class": "label" }, f.axes).textContent = t("atlas.funnel.x");
    var yl = BZ.svg("text", { x: 14, y: FUNNEL.top + H / 2, "text-anchor": "middle", "class": "label",
      transform: "rotate(-90 14 " + (FUNNEL.top + H / 2) + ")" }, f.axes);
    yl.textContent = t("atlas.funnel.y");
    if (curves) {
      Object.keys(curves).forEach(function (key) {
        if (key === "e") { return; }
        var pts = curves.e.map(function (e, k) {
          return curves[key][k] === null ? null : sx(e).toFixed(1) + "," + sy(curves[key][k]).toFixed(1);
        }).filter(Boolean);
        BZ.svg("polyline", { points: pts.join(" "), "class": "limit " + (key.indexOf("99.8") >= 0 ? "l998" : "l95") }, f.limits);
      });
    }
    for (var j = 0; j < level.circles.length; j += 1) {
      var c = level.circles[j];
      if ((v.f[j] & 1) === 1 && v.e[j] > 0) {
        c.setAttribute("cx", sx(v.e[j]).toFixed(1));
        c.setAttribute("cy", sy(v.r[j]).toFixed(1));
        c.setAttribute("fill", BZ.ratioColour(v.r[j]));
        c.removeAttribute("display");
      } else {
        c.setAttribute("display", "none");
      }
    }
  }

  /* --------------------------------------------------------- list, table */

  function renderListed() {
    var box = document.getElementById("listed"), meta = level.meta, c = meta.classification;
    BZ.clear(box);
    var items = [];
    c.status.forEach(function (s, i) { if (LISTED.indexOf(s) >= 0) { items.push(i); } });
    items.sort(function (a, b) {
      return (LISTED.indexOf(c.status[a]) - LISTED.indexOf(c.status[b])) || ((c.ratio[a] || 0) - (c.ratio[b] || 0));
    });
    if (!items.length) { BZ.el("li", null, t("atlas.list.empty"), box); }
    items.forEach(function (i) {
      var li = BZ.el("li", { "class": "st-" + c.status[i], "data-code": meta.areas.code[i] }, null, box);
      BZ.el("a", { href: profileUrl(i) }, meta.areas.name[i], li);
      BZ.el("span", { "class": "code" }, " " + meta.areas.code[i] + " · ", li);
      BZ.el("span", { "class": "badge st-" + c.status[i] }, t("status." + c.status[i]), li);
      BZ.el("span", null, " " + fmt(c.ratio[i], 2) + " (" + fmt(c.ratio_low[i], 2) + "–" + fmt(c.ratio_high[i], 2) + ")", li);
      BZ.el("p", { "class": "reasons" }, BZ.reason(meta, i), li);
    });
  }

  /* Rank of each area by O/E in the chosen year: 1 is the lowest; unusable areas have none. */
  function ranks(v) {
    var order = [], out = [];
    for (var i = 0; i < v.r.length; i += 1) {
      out.push(null);
      if (v.r[i] !== null) { order.push(i); }
    }
    order.sort(function (a, b) { return (v.r[a] - v.r[b]) || (a - b); });
    order.forEach(function (i, k) { out[i] = k + 1; });
    return out;
  }

  function sortValue(i, v, n, rank) {
    var c = level.meta.classification;
    switch (state.sort) {
      case "rank": return rank[i];
      case "name": return level.meta.areas.name[i].toLowerCase();
      case "status": return BZ.STATUS_ORDER.indexOf(c.status[i]);
      case "n": return n[i] === undefined ? null : n[i];
      default: return v[state.sort][i];
    }
  }

  function renderTable() {
    var meta = level.meta, v = values.years[String(state.year)], q = state.query;
    var n = BZ.denominator(meta, state.indicator, state.year), rank = ranks(v);
    var rows = [];
    for (var i = 0; i < meta.areas.code.length; i += 1) {
      if (!q || meta.areas.name[i].toLowerCase().indexOf(q) >= 0 || meta.areas.code[i].toLowerCase().indexOf(q) >= 0) {
        rows.push(i);
      }
    }
    var dir = state.asc ? 1 : -1;
    rows.sort(function (a, b) {
      var x = sortValue(a, v, n, rank), y = sortValue(b, v, n, rank);
      if (x === null && y === null) { return a - b; }
      if (x === null) { return 1; }
      if (y === null) { return -1; }
      return (x < y ? -1 : x > y ? 1 : a - b) * dir;
    });
    if (state.selected >= 0 && rows.indexOf(state.selected) >= TABLE_LIMIT) {
      rows.splice(rows.indexOf(state.selected), 1);
      rows.unshift(state.selected);
    }
    var shown = rows.slice(0, TABLE_LIMIT);
    var body = nodes.tbody;
    BZ.clear(body);
    var frag = document.createDocumentFragment();
    shown.forEach(function (i) {
      var tr = BZ.el("tr", { "data-code": meta.areas.code[i] }, null, frag);
      if (i === state.selected) { tr.classList.add("sel"); }
      BZ.el("td", { "class": "num rank" }, rank[i] === null ? "–" : String(rank[i]), tr);
      var td = BZ.el("td", null, null, tr);
      BZ.el("a", { href: profileUrl(i) }, meta.areas.name[i], td);
      BZ.el("span", { "class": "code" }, " " + meta.areas.code[i], td);
      BZ.el("td", { "class": "num" }, fmt(n[i], 0), tr);
      BZ.el("td", { "class": "num" }, fmt(v.o[i], 0), tr);
      BZ.el("td", { "class": "num" }, fmt(v.e[i], 1), tr);
      BZ.el("td", { "class": "num ratio", "data-value": v.r[i] === null ? "" : String(v.r[i]) }, fmt(v.r[i], 2), tr);
      BZ.el("td", { "class": "num" }, v.lo[i] === null ? "–" : fmt(v.lo[i], 2) + "–" + fmt(v.hi[i], 2), tr);
      BZ.el("td", null, t("status." + meta.classification.status[i]), tr);
      tr.addEventListener("click", function (ev) { if (ev.target.tagName !== "A") { select(i); } });
    });
    body.appendChild(frag);
    document.querySelectorAll("#areas thead button").forEach(function (b) {
      var key = b.getAttribute("data-sort");
      b.parentNode.setAttribute("aria-sort", key === state.sort ? (state.asc ? "ascending" : "descending") : "none");
    });
    document.getElementById("table-note").textContent = rows.length > TABLE_LIMIT
      ? t("atlas.table.shown", { shown: TABLE_LIMIT, total: rows.length }) : "";
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
