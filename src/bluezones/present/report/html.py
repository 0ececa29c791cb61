"""A report as one self-contained HTML file: inline CSS, inline SVG, no script, no request.

Every text reaches the page through jinja2's autoescaping (area names such as
``<script>`` stay text); the SVG of the maps and charts is written here with
each attribute and label escaped.
"""

from __future__ import annotations

from importlib import resources

import jinja2
from markupsafe import Markup, escape

from bluezones.present.report.content import Report
from bluezones.present.report.draw import Circle, Label, Line, Polygon, Rect, Scene

__all__ = ["render_html", "svg"]

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("bluezones.present.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["svg"] = lambda scene: svg(scene)


def render_html(report: Report) -> str:
    """The report as an HTML page."""
    css = (
        resources.files("bluezones.present.report")
        .joinpath("templates/report.css")
        .read_text(encoding="utf-8")
    )
    return _ENV.get_template("report.html").render(report=report, css=Markup(css))


def svg(scene: Scene) -> Markup:
    """A scene as inline SVG with an accessible title."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {scene.width:g} {scene.height:g}" '
        f'role="img" aria-label="{escape(scene.title)}"><title>{escape(scene.title)}</title>'
    ]
    for item in scene.shapes:
        parts.append(_shape(item))
    parts.append("</svg>")
    return Markup("".join(parts))


def _shape(item: object) -> str:
    if isinstance(item, Polygon):
        d = "".join("M" + "L".join(f"{x:g},{y:g}" for x, y in ring) + "Z" for ring in item.rings)
        fill = escape(item.fill) if item.fill else "none"
        stroke = (
            f' stroke="{escape(item.stroke)}" stroke-width="{item.width:g}"' if item.stroke else ""
        )
        return f'<path d="{d}" fill="{fill}" fill-rule="evenodd"{stroke}/>'
    if isinstance(item, Line):
        points = " ".join(f"{x:g},{y:g}" for x, y in item.points)
        dash = ' stroke-dasharray="4 3"' if item.dash else ""
        return (
            f'<polyline points="{points}" fill="none" stroke="{escape(item.stroke)}" '
            f'stroke-width="{item.width:g}"{dash}/>'
        )
    if isinstance(item, Rect):
        return (
            f'<rect x="{item.x:g}" y="{item.y:g}" width="{item.w:g}" height="{item.h:g}" '
            f'fill="{escape(item.fill)}" stroke="#8c8c8c" stroke-width="0.3"/>'
        )
    if isinstance(item, Circle):
        return (
            f'<circle cx="{item.x:g}" cy="{item.y:g}" r="{item.r:g}" fill="{escape(item.fill)}"/>'
        )
    if isinstance(item, Label):
        return (
            f'<text x="{item.x:g}" y="{item.y:g}" font-size="{item.size:g}" '
            f'text-anchor="{escape(item.anchor)}" fill="{escape(item.colour)}">'
            f"{escape(item.text)}</text>"
        )
    raise TypeError(f"cannot draw {item!r}")
