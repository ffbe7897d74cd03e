"""The board pack PDF (fpdf2): cover, framework summary, a section per portfolio, definitions appendix."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from charts.icons import RAG_ICONS, variation_icon
from config.i18n import format_date, t
from reports.formatting import (
    assurance_text,
    blank,
    format_change,
    format_count,
    format_value,
    has_public_data,
    rag_text,
    text_or,
    units_for,
    variation_text,
)
from reports.inputs import Prepared, ReportInputs, chart_key, prepare
from reports.pdf_layout import (
    FAMILY,
    BoardPackPDF,
    heading,
    keep_space,
    paragraph,
    png_size,
    render_contents,
    table,
)

OVERDUE_FILL = ("#D4351C", "#FFFFFF")
OPEN_STATUSES_EXCLUDED = {"complete", "closed"}
CHART_GAP = 8  # mm between the two charts of a row
MAX_CHART_HEIGHT = 70  # mm; a tall chart is narrowed rather than allowed to fill the page
CONTENTS_LINES_PER_PAGE = 26
HEADING_SPACE = 8  # mm a level-1 heading takes
CAPTION_SPACE = 10  # mm under a chart for its caption
TABLE_START_SPACE = 14  # mm for a table's header row and first row, or two lines of text


def _rag_cell(value, lang: str):
    """RAG words and symbol on their colour (the words carry the meaning; colour is extra)."""
    icon = RAG_ICONS.get(None if blank(value) else value)
    text = rag_text(value, lang)
    return (text, (icon.colour, icon.text_colour)) if icon else text


def _variation_cell(value, lang: str):
    icon = variation_icon(None if blank(value) else value)
    text = variation_text(value, lang)
    return (text, (icon.colour, icon.text_colour)) if icon else text


def _value_text(row: pd.Series, unit: str, prepared: Prepared) -> str:
    """Value with its interval, "fewer than 10" for a small base, "[c]" when hidden for publication."""
    lang = prepared.inputs.lang
    if bool(row.get("publication_hidden", False)):
        return "[c]"
    if bool(row.get("suppressed", False)) and blank(row.get("value")):
        return t("report.fewer_than", lang, n=prepared.inputs.rate_threshold)
    text = format_value(row.get("value"), unit, lang)
    low, high = row.get("ci_low"), row.get("ci_high")
    if not blank(low) and not blank(high):
        text += f" ({format_value(low, unit, lang)}–{format_value(high, unit, lang)})"
    return text


def _counts_text(row: pd.Series, lang: str) -> str:
    numerator, denominator = row.get("numerator"), row.get("denominator")
    if blank(denominator):
        return format_count(numerator, lang)
    return f"{format_count(numerator, lang)} / {format_count(denominator, lang)}"


def _cover(pdf: BoardPackPDF, prepared: Prepared) -> None:
    inputs, lang = prepared.inputs, prepared.inputs.lang
    pdf.add_page()
    pdf.set_y(40)
    pdf.start_section(t("report.board_pack", lang))
    pdf.set_font(FAMILY, "B", 28)
    pdf.multi_cell(0, 14, t("report.board_pack", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 16)
    pdf.multi_cell(0, 9, t("report.framework", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    names = ", ".join(inputs.portfolios.values()) if inputs.scope is not None else t("report.scope_all", lang)
    period = t(
        "report.period", lang, start=format_date(inputs.period_start, lang), end=format_date(inputs.period_end, lang)
    )
    for line in (pdf.as_at, period, t("report.scope", lang, names=names)):
        paragraph(pdf, line, size=12)
    when = prepared.exported_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
    paragraph(pdf, t("report.exported_by", lang, who=inputs.exported_by or "–", when=when), size=10)
    pdf.ln(4)
    paragraph(pdf, t("report.rate_suppression", lang, threshold=inputs.rate_threshold))
    if inputs.publication:
        threshold = inputs.publication_threshold
        paragraph(pdf, t("report.publication", lang, limit=threshold - 1, threshold=threshold))
    _attribution(pdf, prepared)


def _contents(pdf: BoardPackPDF, prepared: Prepared) -> None:
    """Reserve the contents page(s); fpdf2 fills them in once every section's page is known."""
    pdf.add_page()
    entries = len(prepared.inputs.portfolios) + 2
    pdf.insert_toc_placeholder(render_contents, pages=-(-entries // CONTENTS_LINES_PER_PAGE))
    pdf.fresh_page = True


def _attribution(pdf: BoardPackPDF, prepared: Prepared) -> None:
    """The Open Government Licence line when police.uk data is included (in Welsh too for a Welsh pack)."""
    inputs = prepared.inputs
    if has_public_data(inputs.metric_rows, inputs.scorecards):
        paragraph(pdf, t("report.ogl", "en"), size=8)
        if inputs.lang != "en":
            paragraph(pdf, t("report.ogl", inputs.lang), size=8)


def _headlines(card: pd.DataFrame, count: int) -> pd.DataFrame:
    """A portfolio's headline measures: those flagged `headline`, else the first `count` on its scorecard."""
    if "headline" in card.columns and card["headline"].fillna(False).astype(bool).any():
        return card[card["headline"].fillna(False).astype(bool)]
    return card.head(count)


def _summary(pdf: BoardPackPDF, prepared: Prepared) -> None:
    inputs, lang = prepared.inputs, prepared.inputs.lang
    pdf.new_page()
    heading(pdf, t("report.framework_summary", lang))
    tally_rows, headline_rows = [], []
    for portfolio, name in inputs.portfolios.items():
        card = inputs.scorecards.get(portfolio, pd.DataFrame(columns=["metric_id", "rag"]))
        rags = card["rag"].where(card["rag"].isin(RAG_ICONS)).fillna("none") if len(card) else pd.Series(dtype=str)
        counts = {key: int((rags == key).sum()) for key in ("green", "amber", "red", "none")}
        tally_rows.append([name, str(len(card)), *(str(counts[k]) for k in ("green", "amber", "red", "none"))])
        top = _headlines(card, inputs.headline_per_portfolio)
        for (_, row), unit in zip(top.iterrows(), units_for(top, prepared.units), strict=True):
            headline_rows.append(
                [
                    name,
                    row.get("name", row["metric_id"]),
                    _value_text(row, unit, prepared),
                    format_value(row.get("target"), unit, lang),
                    _rag_cell(row.get("rag"), lang),
                    _variation_cell(row.get("variation_icon"), lang),
                    assurance_text(row.get("assurance"), lang),
                ]
            )
    rag_headers = [rag_text(key, lang) for key in ("green", "amber", "red")] + [rag_text(None, lang)]
    table(
        pdf, [t("report.column.portfolio", lang), t("report.column.measures", lang), *rag_headers], tally_rows,
        [113, 32, 32, 32, 32, 32],
    )  # fmt: skip
    headers = ["portfolio", "name", "value_ci", "target", "rag", "variation", "assurance"]
    table(pdf, [t(f"report.column.{h}", lang) for h in headers], headline_rows, [48, 62, 38, 18, 26, 45, 36])


def _scorecard(pdf: BoardPackPDF, prepared: Prepared, card: pd.DataFrame) -> None:
    lang = prepared.inputs.lang
    if card.empty:
        paragraph(pdf, t("report.no_measures", lang))
        return
    rows = []
    for (_, row), unit in zip(card.iterrows(), units_for(card, prepared.units), strict=True):
        rows.append(
            [
                row.get("name", row["metric_id"]),
                _value_text(row, unit, prepared),
                _counts_text(row, lang),
                format_value(row.get("target"), unit, lang),
                _rag_cell(row.get("rag"), lang),
                _variation_cell(row.get("variation_icon"), lang),
                assurance_text(row.get("assurance"), lang),
                format_change(row.get("change"), row.get("change_significant"), unit, lang),
            ]
        )
    headers = ["name", "value_ci", "counts", "target", "rag", "variation", "assurance", "change"]
    table(pdf, [t(f"report.column.{h}", lang) for h in headers], rows, [56, 36, 28, 16, 24, 44, 36, 33])


def chart_order(card: pd.DataFrame) -> list[int]:
    """Scorecard positions, concerns and reds first, so the charts a board should see come before the cap."""

    def priority(position: int) -> tuple[int, int]:
        row = card.iloc[position]
        icon = row.get("variation_icon")
        concern = isinstance(icon, str) and icon.startswith("concern")
        rank = 0 if concern else {"red": 1, "amber": 2}.get(row.get("rag"), 3)
        return rank, position

    return sorted(range(len(card)), key=priority)


def _charts(pdf: BoardPackPDF, prepared: Prepared, portfolio: str, card: pd.DataFrame) -> None:
    inputs, lang = prepared.inputs, prepared.inputs.lang
    available = [p for p in chart_order(card) if chart_key(portfolio, card.iloc[p]["metric_id"]) in inputs.charts]
    if not available:
        return
    shown = available[: inputs.charts_per_portfolio]
    units = units_for(card, prepared.units)
    slot = (pdf.epw - CHART_GAP) / 2
    pairs = []
    for pair_start in range(0, len(shown), 2):
        pair = []
        for position in shown[pair_start : pair_start + 2]:
            row = card.iloc[position]
            key = chart_key(portfolio, row["metric_id"])
            pixels_w, pixels_h = png_size(inputs.charts[key])
            height = min(slot * pixels_h / pixels_w, MAX_CHART_HEIGHT)
            value = _value_text(row, units[position], prepared)
            name = row.get("name", row["metric_id"])
            alt = inputs.chart_alt_text.get(key) or t(
                "report.chart_alt",
                lang,
                name=name,
                portfolio=inputs.portfolios.get(portfolio, portfolio),
                value=value,
                variation=variation_text(row.get("variation_icon"), lang),
            )
            # The chart's process changes and notes under it as text too (searchable, read aloud), not only drawn.
            caption = "\n".join([f"{name}: {value}", *inputs.chart_notes.get(key, ())])
            pair.append((inputs.charts[key], height, height * pixels_w / pixels_h, caption, alt))
        pairs.append(pair)
    # The heading stays with its first row of charts.
    keep_space(pdf, HEADING_SPACE + max(item[1] for item in pairs[0]) + CAPTION_SPACE)
    heading(pdf, t("report.charts", lang), level=1)
    for pair in pairs:
        keep_space(pdf, max(item[1] for item in pair) + CAPTION_SPACE)
        top, bottom = pdf.get_y(), pdf.get_y()
        for column, (png, height, width, caption, alt) in enumerate(pair):
            x = pdf.l_margin + column * (slot + CHART_GAP)
            pdf.image(io.BytesIO(png), x=x, y=top, w=width, h=height, alt_text=alt, title=caption)
            pdf.set_xy(x, top + height + 1)
            pdf.set_font(FAMILY, "", 8)
            pdf.multi_cell(slot, 4, caption, align="L", new_x="LEFT", new_y="NEXT")
            bottom = max(bottom, pdf.get_y())
        pdf.set_xy(pdf.l_margin, bottom + 4)
    if len(available) > len(shown):
        paragraph(pdf, t("report.more_charts", lang, n=len(available) - len(shown)))


def _due_actions(prepared: Prepared, portfolio: str) -> pd.DataFrame:
    """Open actions of a portfolio overdue or due within `due_within_days` of the ageing day (the one clock)."""
    actions = prepared.inputs.actions
    if actions is None or actions.empty:
        return pd.DataFrame()
    inputs = prepared.inputs
    due = pd.to_datetime(actions["due_date"], errors="coerce").dt.date
    horizon = inputs.ageing_day + dt.timedelta(days=inputs.due_within_days)
    mask = (actions["portfolio"] == portfolio) & ~actions["status"].isin(OPEN_STATUSES_EXCLUDED) & (due <= horizon)
    return actions.assign(_due=due)[mask.fillna(False)].sort_values("_due")


def _actions(pdf: BoardPackPDF, prepared: Prepared, portfolio: str) -> None:
    lang = prepared.inputs.lang
    keep_space(pdf, HEADING_SPACE + TABLE_START_SPACE)
    heading(pdf, t("report.actions_due", lang), level=1)
    due = _due_actions(prepared, portfolio)
    if due.empty:
        paragraph(pdf, t("report.no_actions", lang))
        return
    paragraph(pdf, t("report.ages_counted_to", lang, date=format_date(prepared.inputs.ageing_day, lang)))
    rows = []
    for _, action in due.iterrows():
        late = (prepared.inputs.ageing_day - action["_due"]).days
        state = (
            (t("report.overdue_days", lang, days=late), OVERDUE_FILL)
            if late > 0
            else t("report.due", lang, date=format_date(action["_due"], lang))
        )
        status = action.get("status")
        rows.append(
            [
                action.get("action_id"),
                action.get("title"),
                action.get("owner"),
                format_date(action["_due"], lang, style="short"),
                text_or(f"report.status.{status}", lang, status),
                state,
            ]
        )
    headers = ["action_id", "title", "owner", "due_date", "status", "due_state"]
    table(pdf, [t(f"report.column.{h}", lang) for h in headers], rows, [24, 105, 40, 26, 32, 46])


def _portfolio(pdf: BoardPackPDF, prepared: Prepared, portfolio: str, name: str) -> None:
    inputs, lang = prepared.inputs, prepared.inputs.lang
    pdf.new_page()
    heading(pdf, name)
    card = inputs.scorecards.get(portfolio, pd.DataFrame(columns=["metric_id"])).reset_index(drop=True)
    heading(pdf, t("report.scorecard", lang), level=1)
    _scorecard(pdf, prepared, card)
    _charts(pdf, prepared, portfolio, card)
    _actions(pdf, prepared, portfolio)
    keep_space(pdf, HEADING_SPACE + TABLE_START_SPACE)
    heading(pdf, t("report.commentary", lang), level=1)
    text = inputs.commentary.get(portfolio)
    paragraph(pdf, text if text and str(text).strip() else t("report.no_commentary", lang))


def _appendix(pdf: BoardPackPDF, prepared: Prepared) -> None:
    inputs, lang = prepared.inputs, prepared.inputs.lang
    definitions = inputs.definitions
    used = {m for card in inputs.scorecards.values() for m in card.get("metric_id", [])}
    if used:
        definitions = definitions[definitions["metric_id"].isin(used)]
    units = units_for(definitions.assign(denominator=None), prepared.units)
    pdf.new_page()
    heading(pdf, t("report.appendix_definitions", lang))
    rows = [
        [
            row.get("metric_id"),
            row.get("name"),
            row.get("numerator"),
            row.get("denominator"),
            row.get("timescale"),
            row.get("source"),
            format_value(row.get("target"), unit, lang),
        ]
        for (_, row), unit in zip(definitions.iterrows(), units, strict=True)
    ]
    headers = ["metric_id", "name", "numerator", "denominator", "timescale", "source", "target"]
    table(pdf, [t(f"report.column.{h}", lang) for h in headers], rows, [38, 50, 58, 58, 22, 30, 17])
    _attribution(pdf, prepared)


def render_board_pack(prepared: Prepared) -> bytes:
    """The board pack PDF from prepared inputs (scope and publication rules already applied)."""
    inputs, lang = prepared.inputs, prepared.inputs.lang
    title = f"{t('report.board_pack', lang)}: {t('report.framework', lang)}"
    pdf = BoardPackPDF(title, t("report.as_at", lang, date=format_date(inputs.as_of, lang)), lang)
    pdf.set_lang(lang)
    pdf.set_title(title)
    pdf.set_subject(pdf.as_at)
    pdf.set_author(inputs.exported_by or t("report.generated_with", lang))
    pdf.set_creator(t("report.generated_with", lang))
    pdf.set_creation_date(prepared.exported_at.astimezone(dt.UTC))
    _cover(pdf, prepared)
    _contents(pdf, prepared)
    _summary(pdf, prepared)
    for portfolio, name in inputs.portfolios.items():
        _portfolio(pdf, prepared, portfolio, name)
    _appendix(pdf, prepared)
    return bytes(pdf.output())


def build_board_pack(inputs: ReportInputs) -> bytes:
    """The board pack PDF: the inputs' scope and publication rules are applied first."""
    return render_board_pack(prepare(inputs))
