"""PDF building blocks of the board pack: the page template (font, header, footer), headings, paragraphs, tables."""

from __future__ import annotations

import struct
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from config.i18n import t

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
GREY = (80, 82, 84)
HEADING_FILL = "#DEE0E2"


class BoardPackPDF(FPDF):
    """A4 landscape with the shipped DejaVu Sans (Welsh ŵ ŷ), a running header and "Page n of N" footer."""

    def __init__(self, title: str, as_at: str, lang: str):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.pack_title = title
        self.as_at = as_at
        self.lang = lang
        self.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_margins(12, 16, 12)
        self.set_auto_page_break(True, margin=16)
        self.fresh_page = False

    def new_page(self) -> None:
        """Start a section on a new page, unless the contents placeholder has just left a blank one."""
        if not self.fresh_page:
            self.add_page()
        self.fresh_page = False

    def header(self):
        """Title left and as-of date right on every page after the cover (the cover shows both large)."""
        if self.page_no() == 1:
            return
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*GREY)
        self.set_xy(self.l_margin, 7)
        self.cell(0, 4, self.pack_title, align="L")
        self.set_xy(self.l_margin, 7)
        self.cell(0, 4, self.as_at, align="R")
        self.set_text_color(0)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self):
        """As-of date and "Page n of N" on every page, the cover included."""
        self.set_y(-11)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 4, self.as_at, align="L")
        self.set_x(self.l_margin)
        # "{nb}" is fpdf2's alias for the page count, filled in when the document is closed.
        self.cell(0, 4, t("report.page", self.lang, n=self.page_no(), total="{nb}"), align="R")
        self.set_text_color(0)


def heading(pdf: BoardPackPDF, text: str, level: int = 0) -> None:
    """A heading that is also a PDF bookmark (outline entry), so the pack can be navigated."""
    pdf.start_section(text, level=level)
    pdf.set_font(FAMILY, "B", 16 if level == 0 else 12)
    pdf.multi_cell(0, 8 if level == 0 else 6, text, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(1)
    pdf.set_font(FAMILY, "", 9)


def keep_space(pdf: BoardPackPDF, needed: float) -> None:
    """Start a new page unless `needed` mm remain, so a heading is never left alone at the foot of a page."""
    if pdf.get_y() + needed > pdf.page_break_trigger:
        pdf.add_page()


def paragraph(pdf: BoardPackPDF, text: str, size: float = 9) -> None:
    pdf.set_font(FAMILY, "", size)
    pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(1)


def table(pdf: BoardPackPDF, headers: list[str], rows: list[list], widths: list[float]) -> None:
    """A table with a repeated header row; a cell is text or (text, (fill, font colour))."""
    pdf.set_font(FAMILY, "", 8)
    heading_style = FontFace(emphasis="BOLD", fill_color=HEADING_FILL)
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        align="LEFT",
        text_align="LEFT",
        line_height=4,
        headings_style=heading_style,
        padding=1,
    ) as table:
        header = table.row()
        for text in headers:
            header.cell(text)
        for values in rows:
            row = table.row()
            for value in values:
                if isinstance(value, tuple):
                    text, (fill, colour) = value
                    row.cell(text, style=FontFace(fill_color=fill, color=colour))
                else:
                    row.cell("" if value is None else str(value))
    pdf.ln(3)


def render_contents(pdf: BoardPackPDF, outline) -> None:
    """The contents page: every top-level section after the cover with its page number, linked."""
    lang = pdf.lang
    pdf.set_xy(pdf.l_margin, pdf.t_margin)
    pdf.set_font(FAMILY, "B", 16)
    pdf.cell(0, 10, t("report.contents", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 11)
    for section in outline:
        if section.level != 0 or section.page_number <= 1:
            continue
        link = pdf.add_link(page=section.page_number)
        pdf.cell(pdf.epw - 20, 7, section.name, link=link)
        pdf.cell(20, 7, str(section.page_number), align="R", link=link, new_x="LMARGIN", new_y="NEXT")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG from its header (no decoding)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("chart images must be PNG")
    return struct.unpack(">II", data[16:24])
