"""README.txt of an evidence pack: what each file is and how to verify the pack, in English or Welsh."""

from __future__ import annotations

import datetime as dt

from config.i18n import format_date, t
from reports.formatting import has_public_data
from reports.inputs import Prepared

TEXT = {
    "en": {
        "contents": "What is in this pack",
        "metrics.xlsx": (
            "Every measure by area (a sheet each): value, numerator, denominator, 95% confidence interval, target, "
            "RAG and SPC result for the headline period and each month; the scorecards; Definitions (generated from "
            'the metric catalogue); Methodology; the Suppression log; actions, "you said, we did" and data loads.'
        ),
        "board_pack.pdf": "The board pack for the same period and portfolios.",
        "charts/": "SPC charts (PNG), one per portfolio and measure: charts/<portfolio>/<measure>.png.",
        "cases/": (
            "Case-level extracts of missed and late entitlements in the exporter's scope (CSV), with pseudonymised "
            "references only."
        ),
        "audit.csv": "Changes and exports recorded in the audit log during the period.",
        "manifest.json": (
            "Every file's name, size and SHA-256; the app and catalogue versions; the as-of date and period; the "
            "data loads behind the figures (file, SHA-256, rows, when, who); who exported the pack and when."
        ),
        "README.txt": "This file.",
        "csv": (
            "CSV files are UTF-8 with a byte-order mark and keep the data's own column names. Any text cell that "
            "starts with =, +, -, @, a tab or a carriage return has a leading apostrophe (') so that a spreadsheet "
            "shows it as text and never runs it as a formula; numbers are left as numbers."
        ),
        "verify": "How to verify this pack",
        "verify_1": (
            "1. With the dashboard's command line: python cli.py verify-pack <this zip, or the folder it was "
            "unpacked into>. It re-computes the SHA-256 of every file and names any file that was changed, is "
            "missing, or was added."
        ),
        "verify_2": (
            "2. By hand: compute each file's SHA-256 (sha256sum FILE on Linux, shasum -a 256 FILE on macOS, "
            "Get-FileHash FILE -Algorithm SHA256 in Windows PowerShell) and compare it with manifest.json."
        ),
        "verify_3": (
            "3. The SHA-256 of manifest.json, and of this zip, were written to the dashboard's audit log when the "
            "pack was exported. A matching manifest hash proves the manifest itself is the one exported, and the "
            "manifest then proves every other file."
        ),
    },
    "cy": {
        "contents": "Beth sydd yn y pecyn hwn",
        "metrics.xlsx": (
            "Pob mesur fesul maes (dalen yr un): gwerth, rhifiadur, enwadur, cyfwng hyder 95%, targed, statws RAG a "
            "chanlyniad SPC ar gyfer y cyfnod pennawd a phob mis; y cardiau sgorio; Diffiniadau (wedi'u creu o "
            'gatalog y mesurau); Methodoleg; y Cofnod atal data; camau gweithredu, "dywedoch chi, gwnaethom ni" a '
            "llwythi data."
        ),
        "board_pack.pdf": "Pecyn y Bwrdd ar gyfer yr un cyfnod a'r un portffolios.",
        "charts/": "Siartiau SPC (PNG), un ar gyfer pob portffolio a mesur: charts/<portffolio>/<mesur>.png.",
        "cases/": (
            "Darnau ar lefel achos o hawliau a fethwyd ac a oedd yn hwyr o fewn cwmpas yr allforiwr (CSV), gyda "
            "chyfeirnodau ffugenwol yn unig."
        ),
        "audit.csv": "Newidiadau ac allforion a gofnodwyd yn y trywydd archwilio yn ystod y cyfnod.",
        "manifest.json": (
            "Enw, maint a SHA-256 pob ffeil; fersiynau'r ap a'r catalog; y dyddiad 'yn gywir ar' a'r cyfnod; y "
            "llwythi data y tu ôl i'r ffigurau (ffeil, SHA-256, rhesi, pryd, pwy); pwy a allforiodd y pecyn a phryd."
        ),
        "README.txt": "Y ffeil hon.",
        "csv": (
            "Mae'r ffeiliau CSV yn UTF-8 gyda nod trefn beit ac yn cadw enwau colofnau'r data ei hun. Mae gan "
            "unrhyw gell testun sy'n dechrau gyda =, +, -, @, tab neu ddychweliad cerbyd gollnod (') ar y dechrau "
            "fel bod taenlen yn ei dangos fel testun a byth yn ei rhedeg fel fformiwla; mae rhifau'n aros yn rhifau."
        ),
        "verify": "Sut i wirio'r pecyn hwn",
        "verify_1": (
            "1. Gyda llinell orchymyn y dangosfwrdd: python cli.py verify-pack <y zip hwn, neu'r ffolder y cafodd ei "
            "ddadbacio iddo>. Mae'n ailgyfrifo SHA-256 pob ffeil ac yn enwi unrhyw ffeil a newidiwyd, sydd ar goll, "
            "neu a ychwanegwyd."
        ),
        "verify_2": (
            "2. Â llaw: cyfrifwch SHA-256 pob ffeil (sha256sum FFEIL ar Linux, shasum -a 256 FFEIL ar macOS, "
            "Get-FileHash FFEIL -Algorithm SHA256 yn Windows PowerShell) a'i gymharu â manifest.json."
        ),
        "verify_3": (
            "3. Ysgrifennwyd SHA-256 manifest.json, a'r zip hwn, i drywydd archwilio'r dangosfwrdd pan allforiwyd y "
            "pecyn. Mae hash maniffest sy'n cyfateb yn profi mai'r maniffest yw'r un a allforiwyd, ac mae'r "
            "maniffest wedyn yn profi pob ffeil arall."
        ),
    },
}


def _describe(name: str, text: dict[str, str]) -> str | None:
    """The description of a file (by name, or by its folder for charts/ and cases/)."""
    if name in text:
        return text[name]
    folder = name.split("/", 1)[0] + "/"
    return text.get(folder) if "/" in name else None


def readme_text(prepared: Prepared, file_names: list[str]) -> str:
    """README.txt for a pack holding `file_names` (plus manifest.json and README.txt themselves)."""
    inputs, lang = prepared.inputs, prepared.inputs.lang
    text = TEXT[lang]
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
    lines += ["", text["contents"], "-" * len(text["contents"])]
    seen: set[str] = set()
    for name in [*file_names, "manifest.json", "README.txt"]:
        key = name.split("/", 1)[0] + "/" if "/" in name else name
        if key in seen:
            continue
        seen.add(key)
        description = _describe(name, text)
        if description:
            lines.append(f"{key:<16} {description}")
    lines += ["", text["csv"], "", text["verify"], "-" * len(text["verify"])]
    lines += [text["verify_1"], text["verify_2"], text["verify_3"]]
    if has_public_data(inputs.metric_rows, inputs.scorecards):
        lines += ["", t("report.ogl", "en")]
        if lang != "en":
            lines.append(t("report.ogl", lang))
    return "\n".join(lines) + "\n"
