"""A report as a PDF, in pure Python (fpdf2): no browser, no system fonts, no request.

Maps and charts are the same :class:`~bluezones.present.report.draw.Scene` s as
in the HTML, drawn as vector shapes. Text uses DejaVu Sans, shipped in this
package (``fonts/``, with its licence), so accents and any area name print
wherever the report is made, also inside CBS Remote Access.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from bluezones.i18n import text
from bluezones.present.report.content import Report, Section, Table
from bluezones.present.report.draw import Circle, Label, Line, Polygon, Rect, Scene

__all__ = ["render_pdf"]

#: Page margins in millimetres.
MARGIN = 15.0
#: Body text size in points.
BODY_PT = 9.5
#: Gap between two figures side by side, in millimetres.
GUTTER = 6.0
#: Points per millimetre.
PT_PER_MM = 72 / 25.4
FONT = "DejaVu"
#: Status colours of the headline badge (as the HTML).
BADGE = {
    "bluezone": ("#2166ac", "#ffffff"),
    "escalation": ("#8073ac", "#ffffff"),
    "high": ("#e08214", "#000000"),
    "as_expected": ("#f7f7f7", "#000000"),
    "too_small": ("#d9d9d9", "#000000"),
}


class _Pdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, "", 7)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, self.footer_text.replace("{page}", str(self.page_no())), align="C")


def render_pdf(report: Report, path: Path) -> None:
    """Write ``report`` as a PDF to ``path``."""
    pdf = _Pdf(format="A4", unit="mm")
    pdf.set_creator("bluezones")
    pdf.set_title(report.title)
    pdf.set_lang(report.lang)
    fonts = resources.files("bluezones.present.report").joinpath("fonts")
    pdf.add_font(FONT, "", str(fonts.joinpath("DejaVuSans.ttf")))
    pdf.add_font(FONT, "B", str(fonts.joinpath("DejaVuSans-Bold.ttf")))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.footer_text = text("report.footer", report.lang, title=report.title, page="{page}")
    pdf.add_page()
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(0, 7, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 4.5, report.subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(26, 26, 26)
    pdf.ln(3)
    if report.status:
        fill, ink = BADGE.get(report.status, ("#f7f7f7", "#000000"))
        pdf.set_font(FONT, "B", 10)
        pdf.set_fill_color(fill)
        pdf.set_text_color(ink)
        pdf.set_draw_color(140, 140, 140)
        pdf.cell(
            pdf.get_string_width(report.status_label) + 4, 6, report.status_label, 1, fill=True
        )
        pdf.set_text_color(26, 26, 26)
        pdf.ln(8)
    pdf.set_font(FONT, "", 10.5)
    for paragraph in report.headline:
        pdf.multi_cell(0, 5.2, paragraph, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(1)
    for section in report.sections:
        _section(pdf, section)
    pdf.output(str(path))


def _section(pdf: _Pdf, section: Section) -> None:
    if pdf.get_y() > pdf.h - MARGIN - 30:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 7, section.title, new_x="LMARGIN", new_y="NEXT", border="B")
    pdf.ln(2)
    _figures(pdf, section.figures)
    for table in section.tables:
        _table(pdf, table)
    pdf.set_font(FONT, "", BODY_PT - 1)
    pdf.set_text_color(90, 90, 90)
    for paragraph in section.paragraphs:
        pdf.multi_cell(0, 4.3, paragraph, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(1)
    pdf.set_text_color(26, 26, 26)
    pdf.set_font(FONT, "", BODY_PT)
    for bullet in section.bullets:
        pdf.set_x(MARGIN)
        pdf.cell(4, 4.5, "•")
        pdf.multi_cell(0, 4.5, bullet, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(0.8)


def _figures(pdf: _Pdf, figures: list[tuple[Scene, str]]) -> None:
    """Figures two to a row, each on the page whole."""
    width = (pdf.w - 2 * MARGIN - GUTTER) / 2
    for i in range(0, len(figures), 2):
        row = figures[i : i + 2]
        heights = [scene.height * width / scene.width for scene, _ in row]
        need = max(heights) + 6
        if pdf.get_y() + need > pdf.h - MARGIN:
            pdf.add_page()
        top = pdf.get_y()
        for j, (scene, caption) in enumerate(row):
            x = MARGIN + j * (width + GUTTER)
            pdf.set_font(FONT, "B", 8)
            pdf.set_xy(x, top)
            pdf.cell(width, 4, caption)
            draw_scene(pdf, scene, x, top + 5, width)
        pdf.set_xy(MARGIN, top + need)


def draw_scene(pdf: FPDF, scene: Scene, x: float, y: float, width: float) -> None:
    """Draw ``scene`` with its top left at (x, y) mm, ``width`` mm wide."""
    k = width / scene.width

    def at(px: float, py: float) -> tuple[float, float]:
        return x + px * k, y + py * k

    for item in scene.shapes:
        if isinstance(item, Polygon):
            style = ("F" if item.fill else "") + ("D" if item.stroke else "")
            if not style:
                continue
            if item.fill:
                pdf.set_fill_color(item.fill)
            if item.stroke:
                pdf.set_draw_color(item.stroke)
                pdf.set_line_width(max(item.width * k, 0.05))
            for ring in item.rings:
                pdf.polygon([at(px, py) for px, py in ring], style=style)
        elif isinstance(item, Line):
            pdf.set_draw_color(item.stroke)
            pdf.set_line_width(max(item.width * k, 0.05))
            if item.dash:
                pdf.set_dash_pattern(dash=1.2, gap=0.9)
            pdf.polyline([at(px, py) for px, py in item.points])
            if item.dash:
                pdf.set_dash_pattern()
        elif isinstance(item, Rect):
            pdf.set_fill_color(item.fill)
            pdf.set_draw_color(140, 140, 140)
            pdf.set_line_width(0.05)
            ax, ay = at(item.x, item.y)
            pdf.rect(ax, ay, item.w * k, item.h * k, style="DF")
        elif isinstance(item, Circle):
            pdf.set_fill_color(item.fill)
            cx, cy = at(item.x, item.y)
            r = item.r * k
            pdf.ellipse(cx - r, cy - r, 2 * r, 2 * r, style="F")
        elif isinstance(item, Label):
            pdf.set_font(FONT, "", item.size * k * PT_PER_MM)
            pdf.set_text_color(item.colour)
            ax, ay = at(item.x, item.y)
            w = pdf.get_string_width(item.text)
            ax -= {"middle": w / 2, "end": w}.get(item.anchor, 0.0)
            pdf.text(ax, ay, item.text)
            pdf.set_text_color(26, 26, 26)


def _table(pdf: _Pdf, table: Table) -> None:
    pdf.set_font(FONT, "", 7.5)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_text_color(26, 26, 26)
    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.1)
    longest = [
        max([len(h) for h in [table.header[c]]] + [len(r[c]) for r in table.rows] + [4])
        for c in range(len(table.header))
    ]
    widths = [min(max(n, 8), 60) for n in longest]
    align = tuple(
        "RIGHT" if table.numeric and c < len(table.numeric) and table.numeric[c] else "LEFT"
        for c in range(len(table.header))
    )
    heading = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    with pdf.table(
        col_widths=widths,
        text_align=align,
        headings_style=heading,
        line_height=3.8,
        padding=0.8,
        borders_layout="HORIZONTAL_LINES",
        repeat_headings=1,
    ) as out:
        for cells in [table.header, *table.rows]:
            row = out.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(2)
    pdf.set_font(FONT, "", BODY_PT)
