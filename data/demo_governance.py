"""Demo governance data: survivor engagement, "you said, we did", inspection findings and the action plan."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from data import demo_params as P
from data import demo_texts as T


def _months(first: dt.date, as_of: dt.date) -> list[dt.date]:
    """First days of the months from first to as_of."""
    months, d = [], first.replace(day=1)
    while d <= as_of:
        months.append(d)
        d = (d + dt.timedelta(days=32)).replace(day=1)
    return months


def _weekday_in(rng: np.random.Generator, month: dt.date, as_of: dt.date) -> dt.date | None:
    """A random weekday of the month on or before as_of (None when there is none)."""
    last = min((month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), as_of)
    days = [month + dt.timedelta(days=i) for i in range((last - month).days + 1)]
    days = [d for d in days if d.weekday() < 5]
    return days[int(rng.integers(len(days)))] if days else None


def _later(start: dt.date, rng: np.random.Generator, low: int, high: int) -> dt.date:
    """start plus a uniform number of days in [low, high]."""
    return start + dt.timedelta(days=int(rng.integers(low, high + 1)))


def _table(rows: list[dict], columns: tuple[str, ...]) -> pa.Table:
    """A table of small hand-built rows (None is null)."""
    return pa.table({c: pa.array([r.get(c) for r in rows]) for c in columns}) if rows else _empty(columns)


def _empty(columns: tuple[str, ...]) -> pa.Table:
    return pa.table({c: pa.array([], type=pa.string()) for c in columns})


EVENT_COLUMNS = ("event_id", "event_date", "forum", "topic", "portfolio", "participants", "new_participants")
FEEDBACK_COLUMNS = (
    "feedback_id", "event_id", "received_date", "theme", "portfolio", "summary", "status",
    "decision_date", "implemented_date", "we_did", "fed_back_date",
)  # fmt: skip
REC_COLUMNS = (
    "rec_id", "source", "published_date", "kind", "reference", "text", "portfolio", "owner",
    "due_date", "status", "closed_date",
)  # fmt: skip
ACTION_COLUMNS = (
    "action_id", "title", "description", "portfolio", "owner", "source_type", "source_ref",
    "created_date", "due_date", "status", "completed_date",
)  # fmt: skip


def engagement(rng: np.random.Generator, first: dt.date, as_of: dt.date) -> tuple[pa.Table, pa.Table, list[dict]]:
    """Engagement events each month across the forums, and the feedback ("you said") raised at them."""
    events: list[dict] = []
    for month in _months(first, as_of):
        for forum, per_year, low, high in T.FORUMS:
            if per_year < 12 and rng.random() >= per_year / 12:
                continue
            day = _weekday_in(rng, month, as_of)
            if day is None:
                continue
            topic, portfolio = T.TOPICS[int(rng.integers(len(T.TOPICS)))]
            participants = int(rng.integers(low, high + 1))
            events.append(
                {
                    "event_id": f"EV-{len(events) + 1:04d}",
                    "event_date": day,
                    "forum": forum,
                    "topic": topic,
                    "portfolio": portfolio,
                    "participants": participants,
                    "new_participants": int(rng.binomial(participants, 0.2)),
                }
            )
    feedback: list[dict] = []
    for event in events:
        # the first point raised is on the meeting's topic; further points range wider, never repeating one
        options = [(event["portfolio"], o) for o in T.FEEDBACK.get(event["portfolio"], ())] or _FEEDBACK_OPTIONS
        for _ in range(int(rng.poisson(1.2))):
            portfolio, option = options[int(rng.integers(len(options)))]
            feedback.append(_feedback_item(rng, event["event_id"], event["event_date"], portfolio, option, as_of))
            options = [p_o for p_o in _FEEDBACK_OPTIONS if p_o[1] not in {o for _, o in options} | {option}]
    # some feedback arrives outside meetings (survey comments, letters)
    for month in _months(first, as_of)[::3]:
        day = _weekday_in(rng, month, as_of)
        if day is not None:
            portfolio, option = _FEEDBACK_OPTIONS[int(rng.integers(len(_FEEDBACK_OPTIONS)))]
            feedback.append(_feedback_item(rng, None, day, portfolio, option, as_of))
    feedback.sort(key=lambda f: f["received_date"])
    for i, item in enumerate(feedback, start=1):
        item["feedback_id"] = f"FB-{i:04d}"
    return _table(events, EVENT_COLUMNS), _table(feedback, FEEDBACK_COLUMNS), feedback


_FEEDBACK_OPTIONS = [(portfolio, option) for portfolio, options in T.FEEDBACK.items() for option in options]


def _feedback_item(rng, event_id: str | None, received: dt.date, portfolio: str, option: tuple, as_of: dt.date) -> dict:
    """One "you said" item, moved through its statuses as far as the as-of date allows."""
    theme, said, did, why_not = option
    item = {"event_id": event_id, "received_date": received, "theme": theme, "portfolio": portfolio}
    item |= {"summary": said, "status": "received"}
    decision = _later(received, rng, 7, 45)
    if decision > as_of:
        return item
    accepted = rng.random() < 0.85
    item |= {"decision_date": decision, "status": "accepted" if accepted else "not_accepted"}
    if not accepted:
        item["we_did"] = f"Not taken forward: {why_not}"
    else:
        implemented = _later(decision, rng, 20, 150)
        if implemented <= as_of and rng.random() < 0.85:
            item |= {"status": "implemented", "implemented_date": implemented, "we_did": did}
        else:
            item["we_did"] = "Accepted; the change is being made and will be reported back."
    fed_back = _later(decision, rng, 5, 30)
    if fed_back <= as_of and rng.random() < 0.88:
        item["fed_back_date"] = fed_back
    return item


def _months_before(as_of: dt.date, months: int) -> dt.date:
    """A mid-month date the given number of months before as_of."""
    index = as_of.year * 12 + as_of.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 15)


def recommendations(rng: np.random.Generator, as_of: dt.date) -> tuple[pa.Table, list[dict]]:
    """About 25 inspection findings from plausible reports, with owners, due dates and progress."""
    rows: list[dict] = []
    for pattern, months_back, findings in T.REPORTS:
        published = min(_months_before(as_of, months_back), as_of)
        y = published.year
        source = pattern.format(y=y, y0=y - 1, y1=f"{(y + 1) % 100:02d}")
        for kind, reference, text, portfolio, owner in findings:
            due = _later(published, rng, 120 if kind == "cause_of_concern" else 180, 540)
            age = (as_of - published).days
            r = rng.random()
            if r < min(0.6, age / 1300):
                status = "closed" if rng.random() < 0.8 else "discharged"
            elif r < min(0.75, age / 1000):
                status = "evidence_submitted"
            else:
                status = "in_progress" if rng.random() < 0.8 else "open"
            closed = None
            if status in ("closed", "discharged"):
                closed = min(_later(published, rng, 90, max(91, age)), as_of)
            rows.append(
                {
                    "rec_id": f"HM-{len(rows) + 1:03d}",
                    "source": source,
                    "published_date": published,
                    "kind": kind,
                    "reference": reference,
                    "text": text,
                    "portfolio": portfolio,
                    "owner": owner,
                    "due_date": due,
                    "status": status,
                    "closed_date": closed,
                }
            )
    return _table(rows, REC_COLUMNS), rows


def actions(
    rng: np.random.Generator, as_of: dt.date, first: dt.date, recs: list[dict], feedback: list[dict]
) -> pa.Table:
    """About 40 actions answering measures, inspection findings, feedback and board decisions; some overdue."""
    drop = P.planted_r6_drop_month(as_of)
    plans: list[tuple[str, str, str, str, str | None, dt.date, str]] = []
    for metric, portfolio, owner, title in T.METRIC_ACTIONS:
        # the PPU recovery actions are raised once the planted drop shows on the chart
        earliest = drop + dt.timedelta(days=75) if metric.startswith("VCOP_R6_") else first
        created = _between(rng, max(earliest, first), as_of)
        description = f"Raised because {metric} is below target on the scorecard; owner to report monthly."
        plans.append((title, description, portfolio, owner, "metric", metric, created))
    for rec in recs[::2] + recs[1:8:2]:
        created = _later(rec["published_date"], rng, 7, 60)
        title = f"{rec['source']} {rec['reference']}: deliver the response"[:200]
        plans.append((title, rec["text"], rec["portfolio"], rec["owner"], "recommendation", rec["rec_id"], created))
    accepted = [f for f in feedback if f["status"] in ("accepted", "implemented")]
    for item in accepted[-8:] if len(accepted) > 8 else accepted:
        title = f"You said, we did: {item['theme'].lower()}"
        plans.append((title, item["summary"], item["portfolio"], "Survivor Engagement Co-ordinator", "feedback",
                      item["feedback_id"], item["decision_date"]))  # fmt: skip
    for title, portfolio, owner in T.BOARD_ACTIONS:
        plans.append((title, None, portfolio, owner, "board", None, _between(rng, first, as_of)))
    plans.append(("Refresh the victim services data-sharing agreement", None, "inspection", "Head of Performance",
                  "other", None, _between(rng, first, as_of)))  # fmt: skip

    rows = []
    for i, (title, description, portfolio, owner, source_type, ref, created) in enumerate(plans, start=1):
        created = min(created, as_of)
        due = _later(created, rng, 60, 240)
        status, completed = _action_status(rng, created, due, as_of)
        rows.append(
            {
                "action_id": f"AC-{i:03d}",
                "title": title,
                "description": description,
                "portfolio": portfolio,
                "owner": owner,
                "source_type": source_type,
                "source_ref": ref,
                "created_date": created,
                "due_date": due,
                "status": status,
                "completed_date": completed,
            }
        )
    return _table(rows, ACTION_COLUMNS)


def _between(rng: np.random.Generator, low: dt.date, high: dt.date) -> dt.date:
    """A uniform date in [low, high] (low when the range is empty)."""
    return _later(low, rng, 0, max(0, (high - low).days))


def _action_status(rng, created: dt.date, due: dt.date, as_of: dt.date) -> tuple[str, dt.date | None]:
    """Status at the as-of date: older actions are more often complete; some open ones run past their due date."""
    done_by = _later(created, rng, 30, max(31, (due - created).days + 30))
    if done_by <= as_of and rng.random() < 0.75:
        return ("complete" if rng.random() < 0.85 else "closed"), done_by
    if due < as_of:
        return ("off_track" if rng.random() < 0.6 else "at_risk"), None
    return str(rng.choice(["not_started", "on_track", "on_track", "at_risk"])), None
