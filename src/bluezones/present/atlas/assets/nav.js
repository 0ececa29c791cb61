/* bluezones atlas: the page links keep the chosen language. */
"use strict";
(function () {
  var BZ = window.BZ;
  document.querySelectorAll("a[data-nav]").forEach(function (a) {
    a.setAttribute("href", BZ.withParams(a.getAttribute("data-nav") + ".html"));
  });
}());
