"""Demo inspection reports, their responses and PEEL grades (STATUTORY.md §4), and the report each finding of the
demo register comes from. Fixed relative to the as-of date: one response on time, one late, one missed, one still
due, one report with no deadline; two PEEL reports grade the same questions so the direction shows."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from data import demo_texts as T

INSPECTION_COLUMNS = ("report_id", "body", "title", "published_date", "response_published_date")
GRADE_COLUMNS = ("report_id", "question", "grade")
VC_TITLE = "Victims' Commissioner: victims' experience of the Code in Gwent"
PEEL_QUESTIONS = (
    "Engaging with and treating the public with fairness and respect",
    "Responding to the public",
    "Investigating crime",
    "Protecting vulnerable people",
    "Managing offenders and suspects",
)
PEEL_PREVIOUS = ("good", "requires_improvement", "adequate", "requires_improvement", "good")
PEEL_LATEST = ("good", "adequate", "adequate", "inadequate", "adequate")


def _months_before(as_of: dt.date, months: int) -> dt.date:
    """A mid-month date the given number of months before as_of (as the demo findings are dated)."""
    index = as_of.year * 12 + as_of.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 15)


def _report_ids(as_of: dt.date) -> dict[str, str]:
    """The id of each demo findings source (data.demo_texts.REPORTS), by its source text."""
    out = {}
    for number, (pattern, months_back, _) in enumerate(T.REPORTS, start=1):
        y = min(_months_before(as_of, months_back), as_of).year
        out[pattern.format(y=y, y0=y - 1, y1=f"{(y + 1) % 100:02d}")] = f"IR-{number:03d}"
    return out


def inspections(as_of: dt.date) -> tuple[pa.Table, pa.Table]:
    """The reports register and the graded questions of the two PEEL reports."""
    rows = []
    response_after = (50, 63, 40, 70)  # days to the response: on time, late, on time, late
    for number, (pattern, months_back, _) in enumerate(T.REPORTS, start=1):
        published = min(_months_before(as_of, months_back), as_of)
        y = published.year
        title = pattern.format(y=y, y0=y - 1, y1=f"{(y + 1) % 100:02d}")
        response = published + dt.timedelta(days=response_after[(number - 1) % len(response_after)])
        body = "internal_audit" if title.lower().startswith("internal audit") else "hmicfrs"
        rows.append((f"IR-{number:03d}", body, title, published, response if response <= as_of else None))
    extra = len(rows)
    vc_published = as_of - dt.timedelta(days=120)  # past its 56 days with no response: missed
    peel_published = as_of - dt.timedelta(days=30)  # 26 days left
    cjji_published = as_of - dt.timedelta(days=200)
    rows += [
        (f"IR-{extra + 1:03d}", "victims_commissioner", VC_TITLE, vc_published, None),
        (f"IR-{extra + 2:03d}", "hmicfrs", f"PEEL {peel_published.year}-{(peel_published.year + 2) % 100:02d}: "
         "Gwent Police", peel_published, None),
        (f"IR-{extra + 3:03d}", "cjji", "Criminal Justice Joint Inspection: witness care", cjji_published, None),
    ]  # fmt: skip
    reports = pa.table({c: pa.array([r[i] for r in rows]) for i, c in enumerate(INSPECTION_COLUMNS)})
    previous, latest = "IR-001", f"IR-{extra + 2:03d}"
    grades = [(previous, q, g) for q, g in zip(PEEL_QUESTIONS, PEEL_PREVIOUS, strict=True)]
    grades += [(latest, q, g) for q, g in zip(PEEL_QUESTIONS, PEEL_LATEST, strict=True)]
    graded = pa.table({c: pa.array([r[i] for r in grades]) for i, c in enumerate(GRADE_COLUMNS)})
    return reports, graded


def with_report_ids(recs: pa.Table, as_of: dt.date) -> pa.Table:
    """The findings register with each finding's report_id (its source's report)."""
    ids = _report_ids(as_of)
    return recs.append_column("report_id", pa.array([ids.get(s) for s in recs.column("source").to_pylist()]))
