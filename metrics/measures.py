"""The measure engine: prepare fetched frames once, then compute any measures for a portfolio's cohort over periods.

`prepare` = `judge` (the per-row work that depends on the as-of date alone: victim attributes, entitlement states,
dates not yet known blanked; what data/snapshot.py stores after a load) then `prepare_judged` (the window's months,
and the large entitlement and victim frames compressed to counts keeping the cohort columns and the cut), so that
`compute` — called per portfolio, period set and cut — only aggregates small frames. Output: tidy rows (metric_id,
portfolio_id, group, group_value, period, numerator, denominator, value, ci_low, ci_high, suppressed, target, rag,
...). See metrics/measures_finish.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from config.sources import LATER_DATES, MEASURED, OWN_ATTRIBUTES
from metrics import (
    measures_connect,
    measures_inspection,
    measures_public,
    measures_quality,
    measures_satisfaction,
    measures_survivor,
    measures_vcop,
    measures_victims,
    measures_witness,
)
from metrics.catalogue import COHORT_FLAGS, CUTS, ROW_CUTS, Catalogue
from metrics.entitlements import entitlement_states
from metrics.measures_base import Context, known_by, month_column, truth, window_months
from metrics.measures_finish import apply_targets, finish
from metrics.periods import Period

# The source frames (config/sources.py declares each source once).
SOURCES = MEASURED
# Which module computes the measures of each source.
MODULES = {
    "entitlements": measures_vcop,
    "victims": measures_victims,
    "survey_responses": measures_satisfaction,
    "witnesses": measures_witness,
    "special_measures": measures_witness,
    "referrals": measures_connect,
    "referral_needs": measures_connect,
    "quality_reviews": measures_quality,
    "inspections": measures_inspection,
    "engagement_events": measures_survivor,
    "feedback_items": measures_survivor,
    "recommendations": measures_inspection,
    "actions": measures_inspection,
    "policeuk_street": measures_public,
}
VICTIM_ATTRIBUTES = (
    "offence_group",
    "domestic_abuse",
    "hate_crime",
    "enhanced_rights",
    "age_band",
    "sex",
    "ethnicity",
    "disability",
    "preferred_language",
    "area",
    "unit",
)
# compress() counts keys in one array when there are at most this many possible (8 bytes each).
DENSE_KEYS = 1 << 24


@dataclass(frozen=True)
class Judged:
    """Per-row frames judged at one as-of date (see judge): window and cut are taken later, by prepare_judged."""

    frames: dict[str, pd.DataFrame]
    as_of: pd.Timestamp


@dataclass(frozen=True)
class Prepared:
    """Frames ready for `compute`: one as-of date, one window [start, end], one optional cut kept."""

    frames: dict[str, pd.DataFrame]
    as_of: pd.Timestamp
    start: pd.Timestamp
    end: pd.Timestamp
    by: str | None


class VictimLookup:
    """Victims indexed by case_id once, for attaching their attributes to every case-linked source."""

    def __init__(self, victims: pd.DataFrame):
        self.victims = victims
        self.index = pd.Index(victims["case_id"]) if len(victims) else None

    def positions(self, case_ids: pd.Series) -> np.ndarray:
        """Row of each case_id in the victims frame (−1 when unlinked); categorical ids looked up once per value."""
        if self.index is None:
            return np.full(len(case_ids), -1)
        if isinstance(case_ids.dtype, pd.CategoricalDtype):
            per_value = np.append(self.index.get_indexer(case_ids.cat.categories), -1)
            return per_value[case_ids.cat.codes.to_numpy()]  # code −1 (missing) picks the appended −1
        return self.index.get_indexer(case_ids)


def attach_victims(
    frame: pd.DataFrame, victims: pd.DataFrame | VictimLookup, columns: list[str], own: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Add the linked victim's attributes to each row (by case_id); `own` columns keep the row's value when unlinked.

    The entitlement `unit` is the exception handled by the caller: the row's own unit wins when given.
    """
    lookup = victims if isinstance(victims, VictimLookup) else VictimLookup(victims)
    victims = lookup.victims
    out = frame.copy()
    position = lookup.positions(out["case_id"])
    linked = position >= 0
    safe = np.where(linked, position, 0)
    for column in columns:
        if column not in victims.columns:
            continue
        if len(victims):
            values = victims[column].iloc[safe].set_axis(out.index).where(pd.Series(linked, index=out.index))
        else:
            values = pd.Series(pd.NA, index=out.index, dtype=victims[column].dtype)
        if column in own and column in out.columns:
            values = _coalesce(values, out[column])  # the linked victim's value, else the row's own
        out[column] = values
    return out


def cohort_columns(catalogue: Catalogue) -> list[str]:
    """Victim columns any portfolio's cohort filters on (kept when frames are compressed)."""
    return sorted({key for p in catalogue.portfolios for key in p.cohort})


def victim_columns(catalogue: Catalogue, by: str | None = None) -> list[str]:
    """The victim attributes a computation needs: period dates and outcome, enhanced rights, language preference,
    ethnicity (the satisfaction gap), every portfolio's cohort columns, and the cut (so a scorecard fetch can leave
    the other attributes out)."""
    base = {"reported_date", "outcome", "outcome_date", "enhanced_rights", "preferred_language", "ethnicity"}
    return sorted(base | set(cohort_columns(catalogue)) | ({by} if by else set()))


def cohort_mask(frame: pd.DataFrame, cohort: dict) -> np.ndarray:
    """Rows whose victim belongs to the cohort; a row without the column (no linked victim) does not."""
    mask = np.ones(len(frame), dtype=bool)
    for key, wanted in cohort.items():
        if key not in frame.columns:
            return np.zeros(len(frame), dtype=bool)
        values = frame[key]
        if isinstance(wanted, bool):
            mask &= truth(values.eq(wanted))
        elif isinstance(values.dtype, pd.CategoricalDtype):
            # Each category compared once (as text, as below), then looked up by code: no per-row strings.
            per_category = truth(pd.Index(values.cat.categories).astype("string").isin(list(wanted)))
            mask &= np.append(per_category, False)[values.cat.codes.to_numpy()]  # code −1 (missing) picks False
        else:
            mask &= truth(values.astype("string").isin(list(wanted)))
    return mask


def period_dates(catalogue: Catalogue, source: str) -> list[str]:
    """The dates the catalogue's measures on a source count records by (each gets a month column)."""
    return sorted({m.period_date for m in catalogue.all_measures if m.source == source})


def with_months(frame: pd.DataFrame, dates: list[str], start, end, as_of) -> pd.DataFrame:
    """Add month_<date> for each period date: its month when the date lies in the window, else NaT."""
    months = {month_column(d): window_months(frame[d], start, end, as_of) for d in dates if d in frame.columns}
    return frame.assign(**months)


def compress(frame: pd.DataFrame, keys: list[str], weights=None) -> pd.DataFrame:
    """Identical rows (on `keys`) counted once with their number `n`: what large frames are aggregated from.

    A missing value is a value of its own. Each column is turned into small integer codes and the codes are combined
    into one int64 key, so counting is a bincount of one integer column instead of a groupby over ~10 keys (9M rows
    at 1M victims: see BENCHMARKS.md "Metrics"). Rows come out in the order of that key, column by column (missing
    first, then categories in their order, other values in order of appearance); measures only sum them.
    `weights` (positive integers, e.g. the `n` of an already compressed frame) count each row that many times.
    """
    if not keys:
        raise ValueError("compress needs at least one key column")
    rows = frame[keys]
    key = np.zeros(len(rows), dtype=np.int64)
    size = 1
    for column in keys:
        codes, cardinality = _codes(rows[column])
        if size * cardinality >= 2**62:  # the combined key would overflow: renumber what is combined so far
            key, uniques = pd.factorize(key, sort=True)
            size = len(uniques)
        key = key * cardinality + codes
        size *= cardinality
    if weights is not None:
        weights = np.asarray(weights, dtype=np.int64)
    if size <= max(4 * len(key), 1 << 16) and size <= DENSE_KEYS:
        counts = _count(key, weights, size)
        present = np.flatnonzero(counts)
        group = np.empty(size, dtype=np.int64)
        group[present] = np.arange(len(present))
        group, counts = group[key], counts[present]
    else:  # too many possible keys to count densely: hash the ones there are
        group, uniques = pd.factorize(key, sort=True)
        counts = _count(group, weights, len(uniques))
    # One row of each group stands for it (every row of a group holds the same values).
    representative = np.empty(len(counts), dtype=np.int64)
    representative[group] = np.arange(len(group))
    out = rows.iloc[representative].reset_index(drop=True)
    out["n"] = counts.astype(np.int64)
    return out


def _count(key: np.ndarray, weights: np.ndarray | None, size: int) -> np.ndarray:
    """Rows (or their weights) per key value 0..size-1."""
    if weights is None:
        return np.bincount(key, minlength=size)
    return np.bincount(key, weights=weights, minlength=size).round().astype(np.int64)


def _codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes 0..cardinality-1 of a column, missing values taking a code of their own."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64) + 1, len(values.cat.categories) + 1
    if values.dtype == bool:
        return values.to_numpy().astype(np.int64), 2
    if isinstance(values.dtype, pd.BooleanDtype):
        present = values.notna().to_numpy()
        return np.where(present, values.to_numpy(dtype=bool, na_value=False).astype(np.int64) + 1, 0), 3
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes.astype(np.int64) + 1, len(uniques) + 1


def _judge_entitlements(
    frame: pd.DataFrame, victims: VictimLookup, catalogue: Catalogue, as_of, attributes: list[str]
) -> pd.DataFrame:
    """Each instance's state at the as-of date, delivery flags and its victim's `attributes`, one row per instance."""
    wanted = sorted({"enhanced_rights", "preferred_language", *attributes})
    own_unit = frame["unit"] if "unit" in frame.columns else None
    rows = attach_victims(frame.drop(columns=["unit"], errors="ignore"), victims, wanted)
    if "unit" in attributes and own_unit is not None and "unit" in rows.columns:
        # The unit that owed the entitlement, defaulting to the victim's unit.
        rows["unit"] = _coalesce(own_unit, rows["unit"])
    state = entitlement_states(rows, catalogue.timescales(), as_of)
    delivered = (rows["delivered_date"].notna() & (rows["delivered_date"] <= as_of)).to_numpy()
    reason = rows["exception_reason"] if "exception_reason" in rows.columns else pd.Series(pd.NA, index=rows.index)
    return pd.DataFrame(
        {
            "trigger_date": rows["trigger_date"].to_numpy(),
            "code": rows["code"].astype("category").array,
            "state": state.array,
            "exception_reason": reason.astype("string").astype("category").array,
            "delivered": delivered,
            "in_welsh": delivered & truth(rows["language"] == "cy"),
            "prefers_welsh": truth(rows["preferred_language"] == "cy"),
            **{c: rows[c].array for c in attributes if c in rows.columns and c not in ROW_CUTS},
        }
    )


def window_entitlements(frame: pd.DataFrame, start, end, as_of, keep: list[str]) -> pd.DataFrame:
    """Judged instances triggered in the window, compressed to counts per month, code, state and the kept columns."""
    month = window_months(frame["trigger_date"], start, end, as_of)
    inside = month.notna().to_numpy()
    keys = entitlement_keys(frame.columns, keep)
    columns = keys[1:]
    rows = frame.loc[inside, columns]
    compact = pd.DataFrame({keys[0]: month.to_numpy()[inside], **{c: rows[c].array for c in columns}})
    return compress(compact, keys)


def entitlement_keys(columns, keep: list[str]) -> list[str]:
    """The columns judged entitlements are compressed by, in order: the trigger month, code, state and delivery flags,
    the good reason (STATUTORY.md §1: blank but on the few justified instances, it adds few rows) and `keep`."""
    reason = ["exception_reason"] if "exception_reason" in columns and "exception_reason" not in keep else []
    return [month_column("trigger_date"), "code", "state", "delivered", "in_welsh", "prefers_welsh", *reason, *keep]


def victim_keys(catalogue: Catalogue, keep: list[str]) -> list[str]:
    """The columns victims are compressed by: the month of each period date, outcome, language and `keep` (a cut by
    an entitlement's own column is not one victims carry)."""
    months = [month_column(d) for d in period_dates(catalogue, "victims")]
    return months + sorted({"outcome", "preferred_language", *(c for c in keep if c not in ROW_CUTS)})


def prepared_keep(catalogue: Catalogue, by: str | None) -> list[str]:
    """The victim columns compressed frames keep: every portfolio's cohort columns and the cut."""
    return sorted(set(cohort_columns(catalogue)) | ({by} if by else set()))


def _coalesce(first: pd.Series, second: pd.Series) -> pd.Series:
    """`first` where present, else `second`; categorical when both are (no per-row strings)."""
    if isinstance(first.dtype, pd.CategoricalDtype) and isinstance(second.dtype, pd.CategoricalDtype):
        categories = first.cat.categories.union(second.cat.categories)
        first, second = first.cat.set_categories(categories), second.cat.set_categories(categories)
        return first.where(first.notna(), second)
    if first.dtype == second.dtype:
        return first.where(first.notna(), second)
    return first.astype("string").fillna(second.astype("string"))


def prepared_victims(frame: pd.DataFrame, catalogue: Catalogue, as_of, start, end, keep: list[str]) -> pd.DataFrame:
    """Victims counted per month of each period date, outcome, language preference and the kept columns."""
    dates = period_dates(catalogue, "victims")
    rows = with_months(frame, dates, start, end, as_of)
    months = [month_column(d) for d in dates]
    rows = rows.loc[rows[months].notna().any(axis=1).to_numpy()]
    return compress(rows, victim_keys(catalogue, keep))


def _prepare_feedback(frame: pd.DataFrame, as_of) -> pd.DataFrame:
    """Feedback status as it stood at the as-of date: later decisions and implementations are not known yet."""
    out = frame.copy()
    decided_later = out["decision_date"].notna() & (out["decision_date"] > as_of)
    implemented_later = out["implemented_date"].notna() & (out["implemented_date"] > as_of)
    status = out["status"].astype("string")
    status = status.mask(implemented_later & status.eq("implemented"), "accepted")
    out["status"] = status.mask(decided_later & status.ne("received"), "received")
    return known_by(out, LATER_DATES["feedback_items"], as_of)


def check_cut(by: str | None, allowed: tuple[str, ...] = CUTS + ROW_CUTS) -> None:
    """A cut (or filter) must be a victim attribute, or for a cut a row column some measure lists (exception_reason)."""
    if by is not None and by not in allowed:
        raise ValueError(f"cannot cut by {by!r}; choose one of {', '.join(allowed)}")


def judge(
    frames: dict[str, pd.DataFrame],
    catalogue: Catalogue,
    *,
    as_of,
    attributes: list[str] | None = None,
    lookup: VictimLookup | None = None,
) -> Judged:
    """The per-row work that depends on the as-of date alone: victims' attributes attached, entitlement states,
    dates not yet known blanked, police.uk rows made crimes. Nothing here depends on a window or a cut.

    `frames` holds any of SOURCES (data.queries fetches them). Entitlements keep their victims' `attributes`
    (default: every attribute present, so that any cohort and cut can be taken later). `lookup` holds victims judged
    already (judged_victims), for frames judged a part at a time; `frames` then holds no victims.
    """
    as_of = pd.Timestamp(as_of)
    if lookup is None:
        victims = judged_victims(frames.get("victims"), as_of)
        # Every case-linked source looks its victims up in the same index: hash the (up to a million) case_ids once.
        lookup = VictimLookup(victims)
    elif "victims" in frames:
        raise ValueError("victims are given twice: as a frame and as a lookup")
    victims = lookup.victims
    attributes = list(VICTIM_ATTRIBUTES) if attributes is None else sorted(attributes)
    out: dict[str, pd.DataFrame] = {}
    for source, frame in frames.items():
        if source not in SOURCES:
            raise ValueError(f"unknown source frame {source!r}")
        if source == "entitlements":
            out[source] = _judge_entitlements(frame, lookup, catalogue, as_of, attributes)
            continue
        if source == "victims":
            out[source] = victims
            continue
        if source == "special_measures":
            # A decision dated after the as-of date was not known then.
            frame = frame.assign(decision=frame["decision"].mask(frame["decision_date"] > as_of))
        if source == "feedback_items":
            frame = _prepare_feedback(frame, as_of)
        frame = known_by(frame, LATER_DATES.get(source, []), as_of)
        if source in OWN_ATTRIBUTES or "case_id" in frame.columns:  # every case-linked source
            frame = attach_victims(frame, lookup, list(VICTIM_ATTRIBUTES), OWN_ATTRIBUTES.get(source, ()))
        if source == "policeuk_street":
            frame = measures_public.crimes(frame)
        out[source] = frame
    return Judged(out, as_of)


def judged_victims(victims: pd.DataFrame | None, as_of) -> pd.DataFrame:
    """Victims as judge() keeps them: the dates not yet known at the as-of date blanked."""
    if victims is None:
        victims = pd.DataFrame({"case_id": pd.Series([], dtype="string")})
    return known_by(victims, LATER_DATES["victims"], pd.Timestamp(as_of))


def prepare_judged(judged: Judged, catalogue: Catalogue, *, start, end, by: str | None = None) -> Prepared:
    """Judged frames cut to the window [start, end]: period months added, entitlements and victims compressed to
    counts keeping the cohort columns and `by` (one of CUTS). Records count when their period date lies in the
    window and not after the as-of date."""
    check_cut(by)
    start, end, as_of = pd.Timestamp(start), pd.Timestamp(end), judged.as_of
    keep = prepared_keep(catalogue, by)
    out: dict[str, pd.DataFrame] = {}
    for source, frame in judged.frames.items():
        if source == "entitlements":
            out[source] = window_entitlements(frame, start, end, as_of, keep)
        elif source == "victims":
            out[source] = prepared_victims(frame, catalogue, as_of, start, end, keep)
        else:
            out[source] = with_months(frame, period_dates(catalogue, source), start, end, as_of)
    return Prepared(out, as_of, start, end, by)


def filter_judged(judged: Judged, catalogue: Catalogue, filters: dict[str, str] | None) -> Judged:
    """Judged frames narrowed to the rows whose victim has every filter value (column -> one value of CUTS).

    Unlike a cut, a filter narrows every number: applied to the per-row frames before they are compressed, so any
    measure computed afterwards equals the measure computed on the filtered rows alone. Like a portfolio cohort it
    applies to case-based sources only (survivor voice, inspection and police.uk rows have no victim), and a row
    with no linked victim does not belong. Values are compared as cut groups label them ("true"/"false" for flags).
    """
    if not filters:
        return judged
    for column in filters:
        check_cut(column, CUTS)
    wanted = {c: (str(v).lower() == "true" if c in COHORT_FLAGS else [str(v)]) for c, v in filters.items()}
    out = {}
    for source, frame in judged.frames.items():
        case_based = catalogue.sources[source].case_based if source in catalogue.sources else False
        out[source] = frame.loc[cohort_mask(frame, wanted)] if case_based else frame
    return Judged(out, judged.as_of)


def prepare(
    frames: dict[str, pd.DataFrame],
    catalogue: Catalogue,
    *,
    as_of,
    start,
    end,
    by: str | None = None,
    filters: dict[str, str] | None = None,
) -> Prepared:
    """judge(), filter_judged() then prepare_judged(): fetched frames ready for `compute` over [start, end].

    Missing sources simply produce no measures. Entitlements are judged at `as_of`, keeping only the victim
    attributes the cohorts, `by` and the filters need.
    """
    check_cut(by)
    keep = sorted(set(cohort_columns(catalogue)) | ({by} if by else set()) | set(filters or {}))
    judged = filter_judged(judge(frames, catalogue, as_of=as_of, attributes=keep), catalogue, filters)
    return prepare_judged(judged, catalogue, start=start, end=end, by=by)


def compute(
    prepared: Prepared,
    catalogue: Catalogue,
    *,
    periods: list[Period],
    portfolio: str | None = None,
    metric_ids: list[str] | None = None,
    targets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every measure asked for (default: the whole catalogue) for a portfolio's cohort, per period and group.

    Case-based measures keep only the cohort's victims; SE_*, HM_*, ACT_* and PUB_* ignore it. Targets are the
    catalogue defaults overridden by `targets` rows (data.queries.targets_frame).
    """
    cohort = catalogue.portfolio(portfolio).cohort if portfolio else {}
    rows = compute_values(prepared, catalogue, periods=periods, cohort=cohort, metric_ids=metric_ids)
    return apply_targets(rows, catalogue, targets, portfolio)


def compute_values(
    prepared: Prepared,
    catalogue: Catalogue,
    *,
    periods: list[Period],
    cohort: dict | None = None,
    metric_ids: list[str] | None = None,
) -> pd.DataFrame:
    """compute() without targets and RAG: values, intervals and suppression for one cohort (portfolio_id blank)."""
    measures = [catalogue.measure(i) for i in metric_ids] if metric_ids is not None else catalogue.all_measures
    frames = {}
    for source in {m.source for m in measures} & set(prepared.frames):
        frame = prepared.frames[source]
        case_based = catalogue.sources[source].case_based if source in catalogue.sources else False
        frames[source] = frame.loc[cohort_mask(frame, cohort)] if case_based and cohort else frame
    ctx = Context(frames, list(periods), prepared.as_of, prepared.start, prepared.end, prepared.by, catalogue)
    ctx.members  # noqa: B018  (checks up front that every period is made of whole months of the window)
    for module in dict.fromkeys(MODULES.values()):
        mine = [m for m in measures if MODULES.get(m.source) is module]
        if mine:
            module.compute(ctx, mine)
    return finish(ctx, measures)
