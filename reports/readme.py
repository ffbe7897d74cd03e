"""README.txt of an evidence pack: what each file is and how to verify the pack, in English or Welsh.

The words are in the translation layer (report.readme.* in config/translations); this module puts them in order.
"""

from __future__ import annotations

import datetime as dt

from config.i18n import check_language, format_date, t
from reports.formatting import has_public_data
from reports.inputs import Prepared

# The pack's files (a folder stands for every file in it) and the keys of their descriptions, report.readme.file.*.
FILES: dict[str, str] = {
    "metrics.xlsx": "metrics_xlsx",
    "board_pack.pdf": "board_pack_pdf",
    "charts/": "charts",
    "cases/": "cases",
    "audit.csv": "audit_csv",
    "manifest.json": "manifest_json",
    "README.txt": "readme_txt",
}


def _describe(name: str, lang: str) -> str | None:
    """The description of a file (by name, or by its folder for charts/ and cases/) in the language."""
    key = FILES.get(name)
    if key is None and "/" in name:
        key = FILES.get(name.split("/", 1)[0] + "/")
    return t(f"report.readme.file.{key}", lang) if key else None


def readme_text(prepared: Prepared, file_names: list[str]) -> str:
    """README.txt for a pack holding `file_names` (plus manifest.json and README.txt themselves)."""
    inputs = prepared.inputs
    lang = check_language(inputs.lang)
    title = f"{t('report.evidence_pack', lang)}: {t('report.framework', lang)}"
    names = ", ".join(inputs.portfolios.values()) if inputs.scope is not None else t("report.scope_all", lang)
    when = prepared.exported_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
    lines = [
        title,
        "=" * len(title),
        "",
        t("report.as_at", lang, date=format_date(inputs.as_of, lang)),
        t(
            "report.period",
            lang,
            start=format_date(inputs.period_start, lang),
            end=format_date(inputs.period_end, lang),
        ),
        t("report.scope", lang, names=names),
        t("report.exported_by", lang, who=inputs.exported_by or "–", when=when),
        t("report.version", lang, app=inputs.app_version or "dev", catalogue=inputs.catalogue_version or "–"),
    ]
    if inputs.publication:
        threshold = inputs.publication_threshold
        lines += ["", t("report.publication", lang, limit=threshold - 1, threshold=threshold)]
    contents, verify = t("report.readme.contents", lang), t("report.readme.verify", lang)
    lines += ["", contents, "-" * len(contents)]
    seen: set[str] = set()
    for name in [*file_names, "manifest.json", "README.txt"]:
        key = name.split("/", 1)[0] + "/" if "/" in name else name
        if key in seen:
            continue
        seen.add(key)
        description = _describe(name, lang)
        if description:
            lines.append(f"{key:<16} {description}")
    lines += ["", t("report.readme.csv", lang), "", verify, "-" * len(verify)]
    lines += [t("report.readme.verify_1", lang), t("report.readme.verify_2", lang), t("report.readme.verify_3", lang)]
    if has_public_data(inputs.metric_rows, inputs.scorecards):
        lines += ["", t("report.ogl", "en")]
        if lang != "en":
            lines.append(t("report.ogl", lang))
    return "\n".join(lines) + "\n"
