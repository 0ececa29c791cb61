/* bluezones atlas: shared helpers (texts, numbers, loading, colours, SVG).
   Data reaches the page only through textContent and attributes, never as markup. */
"use strict";
(function () {
  var SVG_NS = "http://www.w3.org/2000/svg";
  var DATA = window.BZ_DATA = window.BZ_DATA || {};
  var site = DATA.site || { lang: "nl", levels: [], dataset: "" };
  var ui = DATA.ui || { nl: {}, en: {} };
  var params = new URLSearchParams(window.location.search);
  var lang = params.get("lang") === "en" || params.get("lang") === "nl" ? params.get("lang") : site.lang;

  /* Colour-blind-safe diverging scale (blue = lower, orange = higher) and its breaks. */
  var RATIO_BREAKS = [0.67, 0.8, 0.91, 1.1, 1.25, 1.5];
  var RATIO_COLOURS = ["#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fee0b6", "#f1a340", "#b35806"];
  /* Sequential scale for rates (purple, so it is not read as lower/higher). */
  var RATE_COLOURS = ["#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#4a1486"];
  var STATUS_COLOURS = {
    bluezone: "#2166ac", escalation: "#8073ac", high: "#e08214",
    as_expected: "#f7f7f7", too_small: "url(#bz-hatch)"
  };
  var STATUS_ORDER = ["bluezone", "escalation", "high", "as_expected", "too_small"];
  var HATCH = "url(#bz-hatch)";

  function t(key, fields) {
    var table = ui[lang] || {};
    var s = table[key] !== undefined ? table[key] : (ui.nl || {})[key];
    if (s === undefined) { return key; }
    if (fields) {
      s = s.replace(/\{(\w+)\}/g, function (m, name) {
        return fields[name] !== undefined ? String(fields[name]) : m;
      });
    }
    return s;
  }

  var locale = function () { return lang === "en" ? "en-GB" : "nl-NL"; };
  var formats = {};
  function fmt(value, digits) {
    if (value === null || value === undefined || !isFinite(value)) { return "–"; }
    var key = digits;
    if (!formats[key]) {
      formats[key] = new Intl.NumberFormat(locale(), {
        minimumFractionDigits: digits, maximumFractionDigits: digits
      });
    }
    return formats[key].format(value);
  }
  function pct(value) {
    if (value === null || value === undefined) { return "–"; }
    return fmt(100 * value, 0) + "%";
  }
  // A probability never shown as certain: "> 99%" and "< 1%" (as the reasons say).
  function prob(value) {
    if (value === null || value === undefined) { return "–"; }
    if (value > 0.99) { return "> " + fmt(99, 0) + "%"; }
    if (value < 0.01) { return "< " + fmt(1, 0) + "%"; }
    return pct(value);
  }

  function load(key) {
    return new Promise(function (resolve, reject) {
      if (Object.prototype.hasOwnProperty.call(DATA, key)) { resolve(DATA[key]); return; }
      var s = document.createElement("script");
      s.src = "data/" + key + ".js";
      s.onload = function () {
        if (Object.prototype.hasOwnProperty.call(DATA, key)) { resolve(DATA[key]); }
        else { reject(new Error(key)); }
      };
      s.onerror = function () { reject(new Error(key)); };
      document.head.appendChild(s);
    });
  }

  function classify(value, breaks) {
    var i = 0;
    while (i < breaks.length && value >= breaks[i]) { i += 1; }
    return i;
  }
  function ratioColour(r) {
    return r === null || r === undefined ? HATCH : RATIO_COLOURS[classify(r, RATIO_BREAKS)];
  }

  function svg(name, attrs, parent) {
    var el = document.createElementNS(SVG_NS, name);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    }
    if (parent) { parent.appendChild(el); }
    return el;
  }
  function el(name, attrs, text, parent) {
    var e = document.createElement(name);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    }
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  /* A hidden SVG with the shared hatch pattern for missing and too-small areas. */
  function defs() {
    if (document.getElementById("bz-defs")) { return; }
    var root = svg("svg", { id: "bz-defs", width: "0", height: "0", "aria-hidden": "true", "class": "defs" });
    var d = svg("defs", null, root);
    var p = svg("pattern", { id: "bz-hatch", width: "6", height: "6", patternUnits: "userSpaceOnUse",
      patternTransform: "rotate(45)" }, d);
    svg("rect", { width: "6", height: "6", fill: "#e0e0e0" }, p);
    svg("line", { x1: "0", y1: "0", x2: "0", y2: "6", stroke: "#8c8c8c", "stroke-width": "2" }, p);
    document.body.appendChild(root);
  }

  function applyTexts() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach(function (node) {
      node.textContent = t(node.getAttribute("data-i18n"));
    });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (node) {
      var s = t(node.getAttribute("data-i18n-placeholder"));
      node.setAttribute("placeholder", s);
      node.setAttribute("aria-label", s);
    });
    document.title = t("atlas.title");
    var source = document.getElementById("source");
    if (source) { source.textContent = t("atlas.source", { dataset: site.dataset }); }
  }

  function withParams(url, extra) {
    var u = new URL(url, window.location.href);
    u.searchParams.set("lang", lang);
    Object.keys(extra || {}).forEach(function (k) { u.searchParams.set(k, extra[k]); });
    return u.pathname.split("/").pop() + u.search + u.hash;
  }

  function langSwitch() {
    var a = document.getElementById("lang-switch");
    if (!a) { return; }
    var u = new URL(window.location.href);
    u.searchParams.set("lang", lang === "nl" ? "en" : "nl");
    a.setAttribute("href", u.pathname.split("/").pop() + u.search + u.hash);
    a.setAttribute("hreflang", lang === "nl" ? "en" : "nl");
  }

  function levelOf(code) {
    return code.indexOf("WK") === 0 ? "wijk" : (code.indexOf("BU") === 0 ? "buurt" : "gemeente");
  }

  function indicatorLabel(meta, name) {
    var found = meta.indicators.filter(function (i) { return i.name === name; })[0];
    return found ? (found.label[lang] || found.label.nl) : name;
  }

  /* Young people per area in a year: indicators with one denominator share one array. */
  function denominator(meta, name, year) {
    var ind = meta.indicators.filter(function (i) { return i.name === name; })[0];
    var years = meta.denominators[ind ? ind.denominator : name] || {};
    return years[String(year)] || [];
  }

  /* The classification's explanation; the plain "as expected" one is written here. */
  function reason(meta, i) {
    var c = meta.classification;
    var own = c["reasons_" + lang];
    if (own && own[i]) { return own[i]; }
    if (c.reasons[i]) { return c.reasons[i]; }
    return t("atlas.reason.as_expected", { p_below: prob(c.p_below[i]), p_above: prob(c.p_above[i]) });
  }

  /* Spread the ratios (stored for usable cells only) over all areas, null elsewhere. */
  function expand(payload) {
    if (payload.expanded) { return payload; }
    Object.keys(payload.years).forEach(function (y) {
      var v = payload.years[y], k = 0, r = [], lo = [], hi = [];
      for (var i = 0; i < v.f.length; i += 1) {
        if ((v.f[i] & 1) === 1) { r.push(v.r[k]); lo.push(v.lo[k]); hi.push(v.hi[k]); k += 1; }
        else { r.push(null); lo.push(null); hi.push(null); }
      }
      v.r = r; v.lo = lo; v.hi = hi;
    });
    payload.expanded = true;
    return payload;
  }

  var NOTE_SHIFT = 5;
  function noteOf(flags) { return flags >> NOTE_SHIFT; }

  function status(message) {
    var s = document.getElementById("status");
    if (s) { s.textContent = message || ""; s.hidden = !message; }
  }

  window.BZ = {
    site: site, lang: lang, params: params, t: t, fmt: fmt, pct: pct, prob: prob, load: load,
    classify: classify, ratioColour: ratioColour, svg: svg, el: el, clear: clear, defs: defs,
    applyTexts: applyTexts, withParams: withParams, langSwitch: langSwitch, levelOf: levelOf,
    indicatorLabel: indicatorLabel, status: status, denominator: denominator, reason: reason, expand: expand, noteOf: noteOf,
    RATIO_BREAKS: RATIO_BREAKS, RATIO_COLOURS: RATIO_COLOURS, RATE_COLOURS: RATE_COLOURS,
    STATUS_COLOURS: STATUS_COLOURS, STATUS_ORDER: STATUS_ORDER, HATCH: HATCH
  };
}());
