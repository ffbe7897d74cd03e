"""SPC of a measure's monthly series with the catalogue's settings: the one place an XmR result is computed.

Every chart, table, icon and pack reads the frame made here, so the reading under a chart is always the chart's own.
The series is indexed by month (period start), so configured rebase dates fall between the right points and charts
label the months in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from data import spc_decisions
from metrics.catalogue import Catalogue
from metrics.spc import xmr

SPC_COLUMNS = ["variation", "special_cause", "rule"]


@dataclass(frozen=True)
class Mark:
    """A recorded decision on one measure's chart: a process change (rebase) or an annotation of a month.

    `portfolio_id` None applies to the measure in every portfolio; `text` is the reason or the note as written
    (shown through config.safe_text.plain, never as Markdown)."""

    metric_id: str
    portfolio_id: str | None
    month: dt.date
    text: str
    by: str = ""


@dataclass(frozen=True)
class Decisions:
    """Every recorded process change and annotation (data.spc_decisions reads them; results apply them)."""

    rebases: tuple[Mark, ...] = ()
    annotations: tuple[Mark, ...] = ()

    def of(self, portfolio_id: str | None, metric_id: str) -> tuple[tuple[Mark, ...], tuple[Mark, ...]]:
        """The rebases and annotations of one measure's chart in a portfolio (its own and the all-portfolio ones),
        oldest month first."""

        def mine(marks):
            chosen = (m for m in marks if m.metric_id == metric_id and m.portfolio_id in (None, portfolio_id))
            return tuple(sorted(chosen, key=lambda m: (m.month, m.portfolio_id or "", m.text)))

        return mine(self.rebases), mine(self.annotations)

    @classmethod
    def from_frames(cls, rebases: pd.DataFrame | None, annotations: pd.DataFrame | None) -> Decisions:
        """From frames with metric_id, portfolio_id, month and reason (rebases) or note (annotations)."""

        def marks(frame, column):
            if frame is None or frame.empty:
                return ()
            return tuple(
                Mark(r.metric_id, None if pd.isna(r.portfolio_id) or r.portfolio_id == "" else r.portfolio_id,
                     pd.Timestamp(r.month).date(), str(getattr(r, column)), str(getattr(r, "created_by", "") or ""))
                for r in frame.itertuples(index=False)
            )  # fmt: skip

        return cls(marks(rebases, "reason"), marks(annotations, "note"))


NO_DECISIONS = Decisions()


def load_decisions(engine: Engine) -> Decisions:
    """The process changes in force and every annotation, as recorded (data.spc_decisions)."""
    return Decisions.from_frames(spc_decisions.rebases_frame(engine), spc_decisions.annotations_frame(engine))


def latest_target(series: pd.DataFrame):
    """The target of a series' latest month that has one (None when none has)."""
    targets = series["target"].dropna() if "target" in series else pd.Series(dtype=float)
    return float(targets.iloc[-1]) if len(targets) else None


def spc_frame(
    values: pd.Series,
    metric_id: str,
    catalogue: Catalogue,
    target=None,
    *,
    decisions: Decisions | None = None,
    portfolio_id: str | None = None,
) -> pd.DataFrame:
    """XmR of monthly values (index: month starts; suppressed months NaN) with the catalogue's outlier screening,
    rebase dates and fixed baseline, the recorded process changes and annotations of the measure in the portfolio,
    and the trial-limits rule, judged against `target` for assurance.

    attrs add: rebases and annotations ((month ISO, text) pairs within the series, the chart draws them) and
    suggested_rebases (month ISO dates where a shift starts and no process change is recorded)."""
    settings = catalogue.statistics
    rebases, notes = (decisions or NO_DECISIONS).of(portfolio_id, metric_id)
    index = values.index
    starts = list(settings.rebase_dates) + [pd.Timestamp(m.month) for m in rebases]
    frame = xmr(
        values,
        polarity=catalogue.measure(metric_id).polarity,
        target=None if target is None or pd.isna(target) else float(target),
        screen_outliers=settings.spc_screen_outliers,
        rebase_at=starts or None,
        baseline_points=settings.spc_fixed_baselines.get(metric_id),
    )
    temporal = isinstance(index, pd.DatetimeIndex) and len(index) > 0
    frame.attrs["rebases"] = _within(rebases, index) if temporal else ()
    frame.attrs["annotations"] = _within(notes, index) if temporal else ()
    frame.attrs["suggested_rebases"] = (
        tuple(index[p].date().isoformat() for p in frame.attrs["suggested_rebases"]) if temporal else ()
    )
    return frame


def _within(marks, index: pd.DatetimeIndex) -> tuple[tuple[str, str], ...]:
    """(month ISO, text) of the marks whose month is one of the series' months (a rebase between months snaps to the
    next, as xmr places it)."""
    first, last = index.min(), index.max()
    out = []
    for mark in marks:
        month = pd.Timestamp(mark.month)
        if first < month <= last:
            month = index[index.searchsorted(month)]
        elif month != first:
            continue
        out.append((month.date().isoformat(), mark.text))
    return tuple(out)


def series_spc(
    monthly: pd.DataFrame,
    metric_id: str,
    catalogue: Catalogue,
    target=None,
    *,
    decisions: Decisions | None = None,
    portfolio_id: str | None = None,
) -> pd.DataFrame:
    """The XmR frame of one measure's monthly rows (period_start, value[, target]), oldest first. `target` defaults to
    the latest month's."""
    series = monthly.sort_values("period_start")
    values = pd.Series(series["value"].to_numpy(dtype=float), index=pd.DatetimeIndex(series["period_start"]))
    target = latest_target(series) if target is None else target
    return spc_frame(values, metric_id, catalogue, target, decisions=decisions, portfolio_id=portfolio_id)


def icons(frame: pd.DataFrame, suppressed: bool = False) -> dict:
    """The SPC reading of an XmR frame: variation and assurance icons (none for a suppressed headline), trial limits
    and whether there is a chart at all."""
    return {
        "variation": None if suppressed else frame.attrs.get("variation_icon"),
        "assurance": None if suppressed else frame.attrs.get("assurance"),
        "trial_limits": bool(frame.attrs.get("trial_limits")),
        "has_chart": bool(frame.attrs.get("has_chart")),
    }


def status(
    monthly: pd.DataFrame, metric_ids, catalogue: Catalogue, *, decisions=None, portfolio_id=None
) -> pd.DataFrame:
    """Variation and assurance of each measure's monthly series, as the scorecard reads them."""
    return status_of({m: series_spc(monthly.loc[monthly["metric_id"] == m], m, catalogue, decisions=decisions,
                                    portfolio_id=portfolio_id) for m in metric_ids})  # fmt: skip


def with_monthly_spc(
    rows: pd.DataFrame,
    catalogue: Catalogue,
    memo: dict | None = None,
    *,
    decisions: Decisions | None = None,
    portfolio_id: str | None = None,
) -> pd.DataFrame:
    """Rows with each monthly row's SPC point (variation, special_cause, rule) joined on; other rows get none.
    `memo` shares results between identical series (portfolios with one cohort)."""
    memo = {} if memo is None else memo
    monthly = rows["period_kind"] == "month"
    parts = []
    for metric_id, series in rows.loc[monthly].groupby("metric_id", sort=False):
        series = series.sort_values("period_start")
        values = series["value"].to_numpy(dtype=float)
        target = latest_target(series)
        marks = (decisions or NO_DECISIONS).of(portfolio_id, metric_id)
        key = (metric_id, values.tobytes(), tuple(series["period_start"].astype(str)), target, marks)
        if key not in memo:
            spc = series_spc(series, metric_id, catalogue, target, decisions=decisions, portfolio_id=portfolio_id)
            memo[key] = spc[SPC_COLUMNS]
        parts.append(memo[key].set_axis(series.index))
    return rows.join(pd.concat(parts)) if parts else rows.assign(**{c: np.nan for c in SPC_COLUMNS})


def status_of(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Variation and assurance of XmR frames by measure id."""
    out = [{"metric_id": metric_id, **icons(frame)} for metric_id, frame in frames.items()]
    return pd.DataFrame(out, columns=["metric_id", "variation", "assurance", "trial_limits", "has_chart"])
