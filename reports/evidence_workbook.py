"""metrics.xlsx of the evidence pack: About, a sheet per area, scorecards, definitions, methodology, logs."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from charts.icons import RAG_ICONS
from config.i18n import format_date, t
from metrics.catalogue import load_catalogue
from reports.formatting import (
    AREAS,
    area_lookup,
    area_of,
    assurance_text,
    has_public_data,
    point_variation_text,
    rag_text,
    rule_text,
    text_or,
    units_for,
    variation_text,
    yes_no,
)
from reports.inputs import DEFINITION_COLUMNS, METRIC_COLUMNS, SCORECARD_COLUMNS, SPC_COLUMNS, Prepared
from reports.methodology import methodology
from reports.workbook import Sheet, build_workbook, mapped
from results.scorecards import scorecard_table

COUNT_COLUMNS = {"numerator", "denominator", "rows_inserted", "rows_updated"}
VALUE_COLUMNS = {"value", "ci_low", "ci_high", "target"}
DATE_COLUMNS = {"period_start", "period_end", "created_date", "due_date", "completed_date", "received_date"}
DATE_COLUMNS |= {"decision_date", "implemented_date", "fed_back_date"}
WRAP_COLUMNS = {"summary", "we_did", "description", "text", "numerator_definition", "denominator_definition"}
ACTION_COLUMNS = ["action_id", "title", "portfolio", "owner", "source_type", "source_ref", "created_date", "due_date"]
ACTION_COLUMNS += ["status", "completed_date"]
FEEDBACK_COLUMNS = ["feedback_id", "received_date", "theme", "portfolio", "summary", "status", "decision_date"]
FEEDBACK_COLUMNS += ["implemented_date", "we_did", "fed_back_date"]
LOAD_COLUMNS = ["table_name", "file_name", "sha256", "rows_inserted", "rows_updated", "loaded_by", "loaded_at"]


def _header(column: str, lang: str) -> str:
    """The displayed header of a column; the column name itself when there is no label for it."""
    return text_or(f"report.column.{column}", lang, column)


def _kinds(columns, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Column kinds from the column names, with explicit overrides."""
    kinds = {}
    for column in columns:
        if column in COUNT_COLUMNS:
            kinds[column] = "count"
        elif column in VALUE_COLUMNS:
            kinds[column] = "value"
        elif column in DATE_COLUMNS:
            kinds[column] = "date"
        elif column in WRAP_COLUMNS:
            kinds[column] = "wrap"
    return kinds | (extra or {})


def _dates(series: pd.Series) -> pd.Series:
    """ISO date text as dates (written as real Excel dates); anything that is not a date stays as it was."""
    parsed = pd.to_datetime(series, errors="coerce", format="mixed")
    return pd.Series(
        [p.date() if not pd.isna(p) else v for p, v in zip(parsed, series, strict=True)], index=series.index
    ).astype(object)


def _rag_fills(lang: str) -> dict[str, tuple[str, str]]:
    """RAG display text -> (fill, font colour), so the colour sits behind words that say the same."""
    return {rag_text(key, lang): (icon.colour, icon.text_colour) for key, icon in RAG_ICONS.items()}


def _sheet(name: str, frame: pd.DataFrame, lang: str, units=None, kinds=None) -> Sheet:
    """A sheet with headers in the language and kinds from the column names."""
    for column in frame.columns:
        if column in DATE_COLUMNS:
            frame[column] = _dates(frame[column])
    return Sheet(
        name=name,
        frame=frame,
        kinds=_kinds(frame.columns, kinds),
        headers={c: _header(c, lang) for c in frame.columns},
        fills={"rag": _rag_fills(lang)},
        units=units,
    )


def _about(prepared: Prepared, lang: str) -> Sheet:
    """Title, period, scope, versions, suppression rules and (with police.uk data) the OGL attribution."""
    inputs = prepared.inputs
    names = ", ".join(inputs.portfolios.values()) if inputs.scope is not None else t("report.scope_all", lang)
    lines = [
        f"{t('report.evidence_pack', lang)}: {t('report.framework', lang)}",
        t("report.as_at", lang, date=format_date(inputs.as_of, lang)),
        t(
            "report.period",
            lang,
            start=format_date(inputs.period_start, lang),
            end=format_date(inputs.period_end, lang),
        ),
        t("report.scope", lang, names=names),
        t("report.exported_by", lang, who=inputs.exported_by, when=prepared.exported_at.strftime("%Y-%m-%d %H:%M")),
        t("report.version", lang, app=inputs.app_version or "dev", catalogue=inputs.catalogue_version or "–"),
        t("report.rate_suppression", lang, threshold=inputs.rate_threshold),
    ]
    if inputs.publication:
        threshold = inputs.publication_threshold
        lines.append(t("report.publication", lang, limit=threshold - 1, threshold=threshold))
    if has_public_data(inputs.metric_rows, inputs.scorecards):
        lines.append(t("report.ogl", "en"))
        if lang != "en":
            lines.append(t("report.ogl", lang))
    frame = pd.DataFrame({"text": lines})
    return _sheet(t("report.about", lang), frame, lang, kinds={"text": "wrap"})


def _metric_sheets(prepared: Prepared, lang: str) -> list[Sheet]:
    """One sheet per catalogue area: every row (headline, months, breakdowns) with counts, CI, target, RAG and SPC."""
    inputs = prepared.inputs
    rows = inputs.metric_rows
    if rows.empty:
        return []
    names = dict(zip(inputs.definitions["metric_id"], inputs.definitions["name"], strict=True))
    columns = [c for c in METRIC_COLUMNS + SPC_COLUMNS if c in rows.columns]
    lookup = area_lookup(inputs.definitions)
    areas = rows["metric_id"].map(lambda metric: area_of(metric, lookup))
    sheets = []
    for area in [*AREAS, "OTHER"]:
        block = rows.loc[areas == area, columns].sort_values(["metric_id", "portfolio_id", "group", "group_value"])
        if block.empty:
            continue
        block = block.reset_index(drop=True)
        block.insert(1, "name", block["metric_id"].map(names))
        block["rag"] = mapped(block["rag"], lambda v: rag_text(v, lang)) if "rag" in block else None
        for column, text in (("suppressed", yes_no), ("special_cause", yes_no)):
            if column in block:
                block[column] = mapped(block[column], lambda v, f=text: f(v, lang))
        if "variation" in block:
            block["variation"] = mapped(block["variation"], lambda v: point_variation_text(v, lang))
        if "rule" in block:
            block["rule"] = mapped(block["rule"], lambda v: rule_text(v, lang))
        sheets.append(_sheet(t(f"report.area.{area}", lang), block, lang, units=units_for(block, prepared.units)))
    return sheets


def _scorecard_sheet(prepared: Prepared, lang: str) -> Sheet | None:
    """Every portfolio's scorecard in one table, icons in words."""
    frames = [frame for frame in prepared.inputs.scorecards.values() if not frame.empty]
    if not frames:
        return None
    # The rows every reader is given (results.scorecards.scorecard_table): the Scorecard page and `cli.py scorecard`
    # show the same cells.
    card = pd.concat(frames, ignore_index=True).rename(columns={"variation_icon": "variation"})
    card = scorecard_table(card, load_catalogue(), lang).rename(columns={"variation": "variation_icon"})
    card = card[SCORECARD_COLUMNS].copy()
    units = units_for(card, prepared.units)
    card["rag"] = mapped(card["rag"], lambda v: rag_text(v, lang)) if "rag" in card else None
    if "variation_icon" in card:
        card["variation_icon"] = card["variation_icon"].map(lambda v: variation_text(v, lang)).astype(object)
    if "assurance" in card:
        card["assurance"] = card["assurance"].map(lambda v: assurance_text(v, lang)).astype(object)
    for column in ("suppressed", "change_significant"):
        if column in card:
            card[column] = mapped(card[column], lambda v: yes_no(v, lang))
    sheet = _sheet(t("report.scorecard", lang), card, lang, units=units, kinds={"change": "value"})
    if "variation_icon" in card:
        sheet.headers = {**sheet.headers, "variation_icon": t("report.column.variation", lang)}
    return sheet


def _definitions_sheet(prepared: Prepared, lang: str) -> Sheet:
    """The catalogue's definitions: numerator, denominator, timescale, source, direction and target."""
    definitions = prepared.inputs.definitions.copy()
    if "polarity" in definitions:
        definitions["polarity"] = mapped(
            definitions["polarity"],
            lambda v: text_or(f"report.polarity.{v}", lang, v),
        )
    if "kind" in definitions:  # a code in the inputs (it sets number formats), words in the sheet
        definitions["kind"] = mapped(definitions["kind"], lambda v: text_or(f"measure_definition.kinds.{v}", lang, v))
    definitions = definitions[[c for c in [*DEFINITION_COLUMNS, "kind", "period_date"] if c in definitions.columns]]
    units = units_for(definitions.assign(denominator=None), prepared.units)
    sheet = _sheet(t("report.definitions", lang), definitions.reset_index(drop=True), lang, units=units)
    sheet.kinds = {**sheet.kinds, "numerator": "wrap", "denominator": "wrap"}
    return sheet


def _methodology_sheet(prepared: Prepared, lang: str) -> Sheet:
    """The methodology statement as heading / text rows."""
    inputs = prepared.inputs
    sections = methodology(
        lang,
        rate_threshold=inputs.rate_threshold,
        publication_threshold=inputs.publication_threshold,
        publication=inputs.publication,
        amber_margin=inputs.amber_margin,
        amber_margin_relative=inputs.amber_margin_relative,
    )
    frame = pd.DataFrame(sections, columns=["item", "text"])
    return _sheet(t("report.methodology", lang), frame, lang, kinds={"item": "text", "text": "wrap"})


def _suppression_sheet(prepared: Prepared, lang: str) -> Sheet:
    """Every suppressed cell and why (never its value)."""
    inputs = prepared.inputs
    log = prepared.suppression_log.copy()
    reasons = {
        "rate": t("report.suppression.rate", lang, threshold=inputs.rate_threshold),
        "primary": t("report.suppression.primary", lang, threshold=inputs.publication_threshold),
        "secondary": t("report.suppression.secondary", lang),
    }
    log["column"] = mapped(log["column"], lambda v: _header(str(v), lang))
    log["reason"] = mapped(log["reason"], lambda v: reasons.get(v, v))
    return _sheet(t("report.suppression_log", lang), log.drop(columns="detail"), lang)


def _optional_sheet(
    frame: pd.DataFrame | None, columns: list[str], title: str, lang: str, statuses: str = "status"
) -> Sheet | None:
    """A sheet of the known columns of an optional frame, statuses in words; None when there is no frame."""
    if frame is None:
        return None
    table = frame[[c for c in columns if c in frame.columns]].copy().reset_index(drop=True)
    if "status" in table:
        table["status"] = mapped(table["status"], lambda v: text_or(f"report.{statuses}.{v}", lang, v))
    return _sheet(title, table, lang, kinds={"loaded_at": "datetime"})


def build_metrics_workbook(prepared: Prepared) -> bytes:
    """metrics.xlsx: About, one sheet per area, Scorecard, Definitions, Methodology, Suppression log, and the
    action plan, "you said, we did" and data loads when given."""
    inputs = prepared.inputs
    lang = inputs.lang
    sheets = [_about(prepared, lang), *_metric_sheets(prepared, lang)]
    sheets.append(_scorecard_sheet(prepared, lang))
    sheets += [_definitions_sheet(prepared, lang), _methodology_sheet(prepared, lang)]
    sheets.append(_suppression_sheet(prepared, lang))
    sheets.append(_optional_sheet(inputs.actions, ACTION_COLUMNS, t("report.actions", lang), lang))
    feedback_title = t("report.feedback", lang)
    sheets.append(_optional_sheet(inputs.feedback, FEEDBACK_COLUMNS, feedback_title, lang, "feedback_status"))
    sheets.append(_optional_sheet(inputs.loads, LOAD_COLUMNS, t("report.loads", lang), lang))
    properties = {
        "title": f"{t('report.evidence_pack', lang)}: {t('report.framework', lang)}",
        "author": inputs.exported_by,
        "created": prepared.exported_at.astimezone(dt.UTC).replace(tzinfo=None),
        "comments": t("report.as_at", lang, date=inputs.as_of.isoformat()),
    }
    return build_workbook([sheet for sheet in sheets if sheet is not None], properties)
