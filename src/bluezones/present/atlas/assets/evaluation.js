/* bluezones atlas: the pilot evaluation (evaluation.html). */
"use strict";
(function () {
  var BZ = window.BZ, BZC = window.BZC, t = BZ.t, fmt = BZ.fmt;
  var data = null, current = null;

  function init() {
    BZ.applyTexts();
    BZ.langSwitch();
    document.title = t("atlas.evaluation.title");
    BZ.load("monitor/evaluation").then(function (d) {
      data = d;
      var sel = document.getElementById("indicator");
      d.indicators.forEach(function (n) {
        var r = d.results[n];
        BZ.el("option", { value: n }, r.label[BZ.lang] || r.label.nl, sel);
      });
      var wanted = BZ.params.get("indicator");
      current = d.indicators.indexOf(wanted) >= 0 ? wanted : d.indicators[0];
      sel.value = current || "";
      sel.addEventListener("change", function () { current = sel.value; show(); });
      show();
    }).catch(function (err) {
      BZ.status(t("atlas.load_error", { error: err && err.message ? err.message : String(err) }));
      document.body.setAttribute("data-error", "1");
    });
  }

  function name(code) {
    var k = data.areas.code.indexOf(code);
    return k >= 0 ? data.areas.name[k] : code;
  }
  function signed(v, digits) { return v === null || v === undefined ? "–" : (v > 0 ? "+" : "") + fmt(v, digits); }
  function p(v) { return v === null || v === undefined ? "–" : (v < 0.001 ? "< " + fmt(0.001, 3) : fmt(v, 3)); }

  function show() {
    document.body.removeAttribute("data-ready");
    var r = data.results[current];
    if (!r) { BZ.status(t("atlas.evaluation.none")); document.body.setAttribute("data-ready", "1"); return; }
    var texts = r.texts[BZ.lang] || r.texts.nl;
    document.getElementById("interpretation").textContent = texts.interpretation;
    var cav = document.getElementById("caveats");
    BZ.clear(cav);
    texts.caveats.forEach(function (c) { BZ.el("li", null, c, cav); });
    estimates(r);
    eventStudy(r);
    synthetic(r);
    pilots(r);
    BZ.status("");
    document.body.setAttribute("data-indicator", current);
    document.body.setAttribute("data-ready", "1");
  }

  function estimates(r) {
    var body = document.querySelector("#estimates tbody");
    BZ.clear(body);
    r.methods.forEach(function (m) {
      var row = BZ.el("tr", { "data-method": m.method }, null, body);
      BZ.el("th", { scope: "row" }, t("atlas.evaluation.method." + m.method), row);
      BZ.el("td", { "class": "num estimate" }, signed(m.estimate, 1), row);
      BZ.el("td", { "class": "num interval" }, m.interval[0] === null && m.interval[1] === null ? "–"
        : signed(m.interval[0], 1) + " – " + signed(m.interval[1], 1), row);
      BZ.el("td", { "class": "num p-ri" }, p(m.p_ri), row);
      BZ.el("td", { "class": "num p-wild" }, p(m.p_wild), row);
      BZ.el("td", { "class": "num p-cluster" }, p(m.p_cluster), row);
    });
  }

  function relLabel(binned, rel) {
    return function (v) {
      var k = rel.indexOf(v);
      if (k >= 0 && binned[k]) { return (v < 0 ? "≤" : "≥") + v; }
      return String(v);
    };
  }

  function eventStudy(r) {
    var es = r.event_study, box = document.getElementById("event-study");
    var ref = es.rel.indexOf(-1);
    BZC.lineChart(box, {
      x: es.rel, zero: true, xLabel: relLabel(es.binned, es.rel), xTitle: t("atlas.evaluation.years_since"),
      yTitle: "%", label: t("atlas.evaluation.event_study"),
      vlines: [{ x: -0.5, cls: "start", label: t("atlas.monitor.series.start") }],
      series: [{ cls: "value", y: es.estimate, lo: es.lower, hi: es.upper, bars: true, points: true, noLine: true,
        hollow: function (i) { return i === ref; },
        title: function (i) {
          return i === ref ? String(es.rel[i]) + ": " + t("atlas.evaluation.reference")
            : String(es.rel[i]) + ": " + signed(es.estimate[i], 1) + "% (" + signed(es.lower[i], 1) + " – " + signed(es.upper[i], 1) + ")";
        } }]
    });
    if (ref >= 0) {
      var svg = box.querySelector("svg"), pts = svg.querySelectorAll("circle.pt");
      var hollow = svg.querySelector("circle.hollow");
      if (hollow && pts.length) {
        BZ.svg("text", { x: Number(hollow.getAttribute("cx")) - 4, y: Number(hollow.getAttribute("cy")) + 16,
          "text-anchor": "end", "class": "vlabel" }, svg).textContent = t("atlas.evaluation.reference");
      }
    }
    var pre = r.pretrend;
    var key = pre.p !== null && pre.p < 0.05 ? "atlas.evaluation.pretrend_bad" : "atlas.evaluation.pretrend_ok";
    var out = document.getElementById("pretrend");
    out.textContent = t(key, { f: fmt(pre.f, 2), p: p(pre.p) });
    out.setAttribute("data-p", String(pre.p));
  }

  function synthetic(r) {
    var s = r.synthetic, paths = document.getElementById("synthetic-paths"), gaps = document.getElementById("synthetic-gaps");
    BZ.clear(paths); BZ.clear(gaps);
    if (!s || !s.rel.length) { return; }
    var lo = Math.min.apply(null, s.rel), hi = Math.max.apply(null, s.rel);
    s.placebos.forEach(function (pl) { lo = Math.min(lo, pl.rel[0]); hi = Math.max(hi, pl.rel[pl.rel.length - 1]); });
    var xs = [];
    for (var v = lo; v <= hi; v += 1) { xs.push(v); }
    function on(rel, ys) { return xs.map(function (x) { var k = rel.indexOf(x); return k >= 0 ? ys[k] : null; }); }
    var start = [{ x: -0.5, cls: "start", label: t("atlas.monitor.series.start") }];
    BZC.lineChart(paths, {
      x: xs, zero: true, vlines: start, xTitle: t("atlas.evaluation.years_since"), yTitle: "%",
      label: t("atlas.evaluation.synthetic"),
      series: [
        { cls: "synthetic", y: on(s.rel, s.synthetic) },
        { cls: "value", y: on(s.rel, s.treated), points: true,
          title: function (i) { return String(xs[i]) + ": " + signed(on(s.rel, s.treated)[i], 1) + "%"; } }
      ]
    });
    var series = s.placebos.map(function (pl) { return { cls: "placebo", y: on(pl.rel, pl.gap) }; });
    series.push({ cls: "value", y: on(s.rel, s.gap), points: true,
      title: function (i) { return String(xs[i]) + ": " + signed(on(s.rel, s.gap)[i], 1) + "%"; } });
    BZC.lineChart(gaps, {
      x: xs, zero: true, vlines: start, xTitle: t("atlas.evaluation.years_since"), yTitle: "%",
      label: t("atlas.evaluation.gap"), series: series
    });
    BZC.legend(document.getElementById("synthetic-legend"), [
      { cls: "value", label: t("atlas.evaluation.treated") },
      { cls: "synthetic", label: t("atlas.evaluation.synthetic_line") },
      { cls: "placebo", label: t("atlas.evaluation.placebo") }
    ]);
  }

  function pilots(r) {
    var list = document.getElementById("pilots");
    BZ.clear(list);
    var per = r.synthetic ? r.synthetic.per_pilot : [];
    Object.keys(r.pilots).sort().forEach(function (code) {
      var row = per.filter(function (x) { return x.code === code; })[0];
      var text = row ? t("atlas.evaluation.per_pilot", { name: name(code), start: r.pilots[code],
        effect: signed(row.effect, 1), p: p(row.p_placebo) }) : name(code) + ": " + r.pilots[code];
      BZ.el("li", { "data-code": code }, text, list);
    });
  }

  BZ.defs();
  init();
}());
