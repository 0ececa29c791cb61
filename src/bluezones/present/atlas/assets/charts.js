/* bluezones atlas: small SVG line and interval charts for the monitor pages,
   drawn with the shared helpers of common.js (BZ.svg, BZ.fmt); no libraries. */
"use strict";
(function () {
  var BZ = window.BZ;
  var BOX = { width: 640, height: 260, left: 52, right: 14, top: 14, bottom: 34 };
  var X_PAD = 0.3;

  function finite(v) { return v !== null && v !== undefined && isFinite(v); }

  function extent(spec) {
    var lo = Infinity, hi = -Infinity;
    spec.series.forEach(function (s) {
      [s.y, s.lo, s.hi].forEach(function (arr) {
        (arr || []).forEach(function (v) { if (finite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
      });
    });
    if (spec.zero) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (hi === lo) { hi = lo + 1; }
    var pad = (hi - lo) * 0.06;
    return [lo - pad, hi + pad];
  }

  function ticks(lo, hi, n) {
    var step = Math.pow(10, Math.floor(Math.log10((hi - lo) / n)));
    [1, 2, 2.5, 5, 10].some(function (m) {
      if ((hi - lo) / (step * m) <= n) { step *= m; return true; }
      return false;
    });
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) { out.push(Math.abs(v) < 1e-9 ? 0 : v); }
    return { values: out, digits: step < 1 ? Math.min(3, Math.ceil(-Math.log10(step))) : 0 };
  }

  /* spec: { x: [numbers], xLabel: fn, xTitle, yTitle, zero, label (aria),
             series: [{ y, lo, hi, cls, band, bars, points, title: fn(i) }],
             vlines: [{ x, cls, label }] } */
  function lineChart(container, spec) {
    BZ.clear(container);
    var b = BOX, w = b.width - b.left - b.right, h = b.height - b.top - b.bottom;
    var root = BZ.svg("svg", { viewBox: "0 0 " + b.width + " " + b.height, "class": "chart mchart",
      role: "img", "aria-label": spec.label || "" }, container);
    var xs = spec.x, x0 = Math.min.apply(null, xs) - X_PAD, x1 = Math.max.apply(null, xs) + X_PAD;
    var ext = extent(spec);
    function sx(v) { return b.left + (v - x0) / (x1 - x0) * w; }
    function sy(v) { return b.top + h - (v - ext[0]) / (ext[1] - ext[0]) * h; }
    var yt = ticks(ext[0], ext[1], 5);
    yt.values.forEach(function (v) {
      BZ.svg("line", { x1: b.left, x2: b.left + w, y1: sy(v), y2: sy(v), "class": "grid" }, root);
      BZ.svg("text", { x: b.left - 5, y: sy(v) + 4, "text-anchor": "end" }, root).textContent = BZ.fmt(v, yt.digits);
    });
    BZ.svg("line", { x1: b.left, x2: b.left, y1: b.top, y2: b.top + h, "class": "axis" }, root);
    BZ.svg("line", { x1: b.left, x2: b.left + w, y1: b.top + h, y2: b.top + h, "class": "axis" }, root);
    if (spec.zero) {
      BZ.svg("line", { x1: b.left, x2: b.left + w, y1: sy(0), y2: sy(0), "class": "ref" }, root);
    }
    xs.forEach(function (v) {
      BZ.svg("text", { x: sx(v), y: b.top + h + 15, "text-anchor": "middle" }, root).textContent =
        spec.xLabel ? spec.xLabel(v) : String(v);
    });
    if (spec.xTitle) {
      BZ.svg("text", { x: b.left + w / 2, y: b.height - 3, "text-anchor": "middle", "class": "title" }, root).textContent = spec.xTitle;
    }
    if (spec.yTitle) {
      BZ.svg("text", { x: 4, y: b.top - 3, "class": "title" }, root).textContent = spec.yTitle;
    }
    (spec.vlines || []).forEach(function (l, k) {
      BZ.svg("line", { x1: sx(l.x), x2: sx(l.x), y1: b.top, y2: b.top + h, "class": l.cls || "brk" }, root);
      if (l.label) {
        BZ.svg("text", { x: sx(l.x) + 3, y: b.top + 10 + 12 * k, "class": "vlabel " + (l.cls || "brk") }, root).textContent = l.label;
      }
    });
    spec.series.forEach(function (s) {
      var g = BZ.svg("g", { "class": "series " + (s.cls || "") }, root);
      var xv = s.x || xs;
      if (s.band && s.lo && s.hi) { band(g, xv, s.lo, s.hi, sx, sy); }
      if (s.bars && s.lo && s.hi) {
        xv.forEach(function (v, i) {
          if (finite(s.lo[i]) && finite(s.hi[i])) {
            BZ.svg("line", { x1: sx(v), x2: sx(v), y1: sy(s.lo[i]), y2: sy(s.hi[i]), "class": "bar" }, g);
          }
        });
      }
      if (!s.noLine) { line(g, xv, s.y, sx, sy); }
      if (s.points) {
        xv.forEach(function (v, i) {
          if (!finite(s.y[i])) { return; }
          var c = BZ.svg("circle", { cx: sx(v), cy: sy(s.y[i]), r: 3.5, "class": s.hollow && s.hollow(i) ? "pt hollow" : "pt" }, g);
          if (s.title) { BZ.svg("title", null, c).textContent = s.title(i); }
        });
      }
    });
    return root;
  }

  function line(g, xs, ys, sx, sy) {
    var d = "", pen = false;
    xs.forEach(function (v, i) {
      if (!finite(ys[i])) { pen = false; return; }
      d += (pen ? "L" : "M") + sx(v).toFixed(1) + "," + sy(ys[i]).toFixed(1);
      pen = true;
    });
    if (d) { BZ.svg("path", { d: d, "class": "line" }, g); }
  }

  function band(g, xs, lo, hi, sx, sy) {
    var run = [];
    function flush() {
      if (run.length > 1) {
        var top = run.map(function (i) { return sx(xs[i]).toFixed(1) + "," + sy(hi[i]).toFixed(1); });
        var bottom = run.slice().reverse().map(function (i) { return sx(xs[i]).toFixed(1) + "," + sy(lo[i]).toFixed(1); });
        BZ.svg("path", { d: "M" + top.join("L") + "L" + bottom.join("L") + "Z", "class": "band" }, g);
      } else if (run.length === 1) {
        var i = run[0];
        BZ.svg("line", { x1: sx(xs[i]), x2: sx(xs[i]), y1: sy(lo[i]), y2: sy(hi[i]), "class": "bar" }, g);
      }
      run = [];
    }
    xs.forEach(function (v, i) {
      if (finite(lo[i]) && finite(hi[i])) { run.push(i); } else { flush(); }
    });
    flush();
  }

  /* A legend of swatches: items [{cls, label}]. */
  function legend(container, items) {
    BZ.clear(container);
    items.forEach(function (it) {
      var span = BZ.el("span", { "class": "item" }, null, container);
      var s = BZ.svg("svg", { width: "22", height: "12", "aria-hidden": "true", "class": "key " + it.cls }, span);
      if (it.box) { BZ.svg("rect", { x: "1", y: "1", width: "20", height: "10", "class": "band" }, s); }
      BZ.svg("line", it.vertical ? { x1: "11", x2: "11", y1: "0", y2: "12", "class": "brk" }
        : { x1: "1", x2: "21", y1: "6", y2: "6", "class": "line" }, s);
      BZ.el("span", null, it.label, span);
    });
  }

  window.BZC = { lineChart: lineChart, legend: legend, BOX: BOX };
}());
