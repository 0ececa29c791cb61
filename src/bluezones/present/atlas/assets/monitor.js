/* bluezones atlas: the youth-protection monitor (monitor.html). */
"use strict";
(function () {
  var BZ = window.BZ, BZC = window.BZC, t = BZ.t, fmt = BZ.fmt;
  var state = { indicator: null, level: null, region: null };
  var meta = null;

  function init() {
    BZ.applyTexts();
    BZ.langSwitch();
    document.title = t("atlas.monitor.title");
    BZ.load("monitor/meta").then(function (m) {
      meta = m;
      var p = BZ.params;
      var names = meta.indicators.map(function (i) { return i.name; });
      state.indicator = names.indexOf(p.get("indicator")) >= 0 ? p.get("indicator") : names[0];
      state.level = meta.levels.indexOf(p.get("level")) >= 0 ? p.get("level") : meta.levels[0];
      state.region = p.get("region");
      controls();
      return show();
    }).catch(fail);
  }

  function fail(err) {
    BZ.status(t("atlas.load_error", { error: err && err.message ? err.message : String(err) }));
    document.body.setAttribute("data-error", "1");
  }

  function spec(name) { return meta.indicators.filter(function (i) { return i.name === name; })[0]; }
  function label(ind) { return ind.label[BZ.lang] || ind.label.nl; }

  function controls() {
    var ind = document.getElementById("indicator"), lv = document.getElementById("level");
    meta.indicators.forEach(function (i) { BZ.el("option", { value: i.name }, label(i), ind); });
    meta.levels.forEach(function (l) { BZ.el("option", { value: l }, t("atlas.monitor.level." + l), lv); });
    ind.value = state.indicator;
    lv.value = state.level;
    ind.addEventListener("change", function () { state.indicator = ind.value; show().catch(fail); });
    lv.addEventListener("change", function () { state.level = lv.value; state.region = null; show().catch(fail); });
    document.getElementById("region").addEventListener("change", function (e) {
      state.region = e.target.value; show().catch(fail);
    });
  }

  function regionOptions() {
    var sel = document.getElementById("region"), areas = meta.areas[state.level];
    if (sel.getAttribute("data-level") !== state.level) {
      BZ.clear(sel);
      areas.code.forEach(function (code, i) { BZ.el("option", { value: code }, areas.name[i], sel); });
      sel.setAttribute("data-level", state.level);
    }
    if (areas.code.indexOf(state.region) < 0) {
      var pilots = areas.code.filter(function (c, i) { return pilotOf(i) !== null; });
      state.region = pilots.length ? pilots[0] : areas.code[0];
    }
    sel.value = state.region;
  }

  /* The pilot of a region: its own (jeugdregio) or its jeugdregio's (gemeente). */
  function pilotOf(i) {
    var areas = meta.areas[state.level], code = areas.code[i];
    if (meta.pilots[code] !== undefined) { return { code: code, year: meta.pilots[code], own: true }; }
    var jz = areas.jeugdregio ? areas.jeugdregio[i] : null;
    if (jz && meta.pilots[jz] !== undefined) { return { code: jz, year: meta.pilots[jz], own: false }; }
    return null;
  }

  function regionName(code) {
    var a = meta.areas.jeugdregio || { code: [], name: [] }, k = a.code.indexOf(code);
    return k >= 0 ? a.name[k] : code;
  }

  function show() {
    var started = performance.now();
    document.body.removeAttribute("data-ready");
    regionOptions();
    return BZ.load("monitor/ind-" + state.indicator).then(function (payload) {
      var ind = spec(state.indicator), level = payload.levels[state.level];
      var i = meta.areas[state.level].code.indexOf(state.region);
      info(ind);
      chart(ind, payload, level, i);
      summary(ind, level, i);
      table(ind, level);
      BZ.status("");
      var b = document.body;
      b.setAttribute("data-indicator", state.indicator);
      b.setAttribute("data-level", state.level);
      b.setAttribute("data-region", state.region);
      window.BZ_RENDER_MS = performance.now() - started;
      b.setAttribute("data-ready", "1");
    });
  }

  function info(ind) {
    var pol = document.getElementById("polarity");
    pol.textContent = t("atlas.monitor.polarity." + ind.polarity);
    pol.setAttribute("data-polarity", ind.polarity);
    document.getElementById("breaks").textContent = ind.breaks.length
      ? t("atlas.monitor.breaks", { years: ind.breaks.join(", ") }) : t("atlas.monitor.no_breaks");
  }

  function chart(ind, payload, level, i) {
    var years = meta.years, areas = meta.areas[state.level];
    var col = function (key) { return years.map(function (y) { var v = level.years[String(y)]; return v && v[key] ? v[key][i] : null; }); };
    document.getElementById("chart-title").textContent = label(ind) + " – " + areas.name[i];
    var series = [];
    var legendItems = [];
    if (state.level !== "land" && payload.levels.land) {
      var land = payload.levels.land;
      series.push({ cls: "land", y: years.map(function (y) { return land.years[String(y)].v[0]; }) });
      legendItems.push({ cls: "land", label: t("atlas.monitor.series.land") });
    }
    var e = col("e");
    if (e.some(function (v) { return v !== null; })) {
      series.push({ cls: "expected", y: e });
      legendItems.push({ cls: "expected", label: t("atlas.monitor.series.expected") });
    }
    var v = col("v");
    series.push({ cls: "value", y: v, lo: col("lo"), hi: col("hi"), band: true, points: true,
      title: function (k) { return years[k] + ": " + fmt(v[k], ind.digits); } });
    legendItems.push({ cls: "value", box: true, label: t("atlas.monitor.series.value") });
    var vlines = ind.breaks.filter(function (b) { return b > years[0] && b <= years[years.length - 1]; })
      .map(function (b) { return { x: b - 0.5, cls: "brk", label: t("atlas.monitor.series.break") + " " + b }; });
    var pilot = pilotOf(i);
    if (pilot && pilot.year > years[0] && pilot.year <= years[years.length - 1]) {
      vlines.push({ x: pilot.year - 0.5, cls: "start", label: t("atlas.monitor.series.start") + " " + pilot.year });
    }
    legendItems.push({ cls: "brk", vertical: true, label: t("atlas.monitor.series.break") });
    BZC.lineChart(document.getElementById("chart"), {
      x: years, series: series, vlines: vlines,
      label: label(ind) + ", " + areas.name[i]
    });
    BZC.legend(document.getElementById("chart-legend"), legendItems);
  }

  function summary(ind, level, i) {
    var years = meta.years, last = String(years[years.length - 1]), cell = level.years[last];
    var pilot = pilotOf(i), p = document.getElementById("region-pilot");
    p.textContent = !pilot ? "" : (pilot.own ? t("atlas.monitor.pilot", { year: pilot.year })
      : t("atlas.monitor.in_pilot", { name: regionName(pilot.code), year: pilot.year }));
    var latest = document.getElementById("region-latest");
    var text = cell.v[i] === null ? t("atlas.monitor.missing", { year: last })
      : t("atlas.monitor.latest", { year: last, value: fmt(cell.v[i], ind.digits),
        lower: fmt(cell.lo[i], ind.digits), upper: fmt(cell.hi[i], ind.digits) });
    if (cell.e && cell.e[i] !== null) { text += " " + t("atlas.monitor.expected", { value: fmt(cell.e[i], ind.digits) }); }
    if (cell.imp[i] > 0 && state.level !== "gemeente") { text += " (" + t("atlas.monitor.imputed", { n: cell.imp[i] }) + ")"; }
    latest.textContent = text;
    latest.setAttribute("data-value", cell.v[i] === null ? "" : String(cell.v[i]));
    var tr = level.trend, out = document.getElementById("region-trend");
    out.textContent = tr && tr.change[i] !== null
      ? t("atlas.monitor.trend", { first: tr.first[i], change: signed(tr.change[i]), lower: signed(tr.lower[i]), upper: signed(tr.upper[i]) })
      : (ind.kind === "mean" ? "" : t("atlas.monitor.no_trend"));
  }

  function signed(v) { return (v > 0 ? "+" : "") + fmt(v, 1); }

  function table(ind, level) {
    var years = meta.years, last = String(years[years.length - 1]), cell = level.years[last];
    var areas = meta.areas[state.level], tr = level.trend;
    document.getElementById("table-title").textContent = t("atlas.monitor.table", { year: last });
    var body = document.querySelector("#regions tbody");
    BZ.clear(body);
    areas.code.forEach(function (code, i) {
      var row = BZ.el("tr", { "data-code": code }, null, body);
      if (code === state.region) { row.className = "sel"; }
      var name = BZ.el("td", null, null, row);
      var btn = BZ.el("button", { type: "button", "class": "linklike", "data-code": code }, areas.name[i], name);
      btn.addEventListener("click", function () {
        state.region = code;
        show().then(function () {
          var again = document.querySelector("#regions button[data-code='" + code + "']");
          if (again) { again.focus(); }
        }).catch(fail);
      });
      BZ.el("td", { "class": "num value" }, fmt(cell.v[i], ind.digits), row);
      BZ.el("td", { "class": "num" }, cell.v[i] === null ? "–" : fmt(cell.lo[i], ind.digits) + " – " + fmt(cell.hi[i], ind.digits), row);
      BZ.el("td", { "class": "num" }, cell.e ? fmt(cell.e[i], ind.digits) : "–", row);
      BZ.el("td", { "class": "num" }, tr && tr.change[i] !== null ? signed(tr.change[i]) + "%" : "–", row);
      var pilot = pilotOf(i);
      BZ.el("td", { "class": "num" }, pilot ? String(pilot.year) : "", row);
    });
  }

  BZ.defs();
  init();
}());
