"""Each source table, declared once: how it is dated, fetched for a window, linked to victims and kept fresh.

data/queries.py (what it fetches, in which order, which rows of a cohort), data/snapshot.py (which rows a window
keeps, which sources are never snapshotted), data/history.py (freshness) and metrics/measures.py (which frames it
judges, the attributes a row carries itself, the dates not yet known at the as-of date) all read these facts from
here. What definitions say about a measured source (its English and Welsh names, whether its rows belong to victims,
the cuts it carries) is in config/catalogue.yaml under `sources:`, which must name the same measured sources.
Pure data: this module imports nothing from the app, so every room may read it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """One source table and the facts about it that more than one room needs."""

    table: str  # the table, and the name of its frame in data.queries.metric_frames
    # The column that dates its records, for freshness ("" for a table with no date of its own, dated by its parent's).
    # Witnesses use charge_date, not trial_date: listed trials lie
    # in the future and would make the caseload look fresh for ever.
    dated_by: str
    # The dates a window [start, end] is fetched by: a row belongs when any of them lies in it (data.queries runs
    # this in SQL; data.snapshot keeps the same rows of a wider snapshot). Empty: fetched some other way (victims
    # and the registers up to the as-of date, police.uk crimes by the month they first appear).
    fetch_dates: tuple[str, ...] = ()
    # Victim columns the source carries itself, for rows with no linked victim (e.g. a self-referral).
    own_attributes: tuple[str, ...] = ()
    # Dates that are not known yet at the as-of date (blanked when rows are judged; the period date is the window's).
    later_dates: tuple[str, ...] = ()
    monthly: bool = True  # a feed expected every month (registers are not: an old latest date is not a missed extract)
    month_text: bool = False  # police.uk keeps its month as 'YYYY-MM' text
    live: bool = False  # edited in the app, not only loaded: never snapshotted, always read afresh
    measured: bool = True  # a frame the measures are computed from

    @property
    def label_key(self) -> str:
        """The translation key of the table's name on the Data management page."""
        return f"data_management.tables.{self.table}"


# In load order (a case's victim before the rows that refer to it), the order every list of sources follows.
SOURCES: tuple[Source, ...] = (
    Source("victims", "reported_date", later_dates=("recorded_date", "outcome_date")),
    Source("entitlements", "trigger_date", fetch_dates=("trigger_date",)),
    # Contract v2 (STATUTORY.md §3): fetched with the reviewed instance's code and case.
    Source("quality_reviews", "review_date", fetch_dates=("review_date",)),
    Source(
        "referrals",
        "referral_date",
        fetch_dates=("referral_date",),
        own_attributes=("age_band", "sex", "ethnicity", "disability", "area"),
        later_dates=("first_contact_date", "needs_assessed_date", "closed_date"),
    ),
    # STATUTORY.md §6: no date of its own; fetched with its referral's dates and demographics (a self-referral's own).
    Source(
        "referral_needs",
        "",
        fetch_dates=("referral_date",),
        own_attributes=("age_band", "sex", "ethnicity", "disability", "area"),
        later_dates=("closed_date",),
        monthly=False,
    ),
    Source("witnesses", "charge_date", fetch_dates=("trial_date",), later_dates=("needs_assessment_date",)),
    Source(
        "special_measures",
        "identified_date",
        fetch_dates=("identified_date", "application_date"),
        later_dates=("discussed_date", "decision_date"),
    ),
    Source(
        "survey_responses",
        "survey_date",
        fetch_dates=("survey_date",),
        own_attributes=("age_band", "sex", "ethnicity", "disability", "area", "offence_group"),
    ),
    Source("engagement_events", "event_date", live=True),
    Source(
        "feedback_items", "received_date", later_dates=("decision_date", "implemented_date", "fed_back_date"), live=True
    ),
    Source("inspections", "published_date", monthly=False),  # STATUTORY.md §4
    Source("inspection_grades", "", monthly=False, measured=False),
    Source("recommendations", "published_date", monthly=False, live=True),
    Source("actions", "created_date", monthly=False, live=True),
    Source("policeuk_street", "file_month", month_text=True),
    Source("policeuk_outcomes", "file_month", month_text=True, measured=False),
)
BY_TABLE: dict[str, Source] = {source.table: source for source in SOURCES}
# The frames the measures are computed from, in order; the live ones among them; the rest, which snapshots keep.
MEASURED: tuple[str, ...] = tuple(s.table for s in SOURCES if s.measured)
LIVE: tuple[str, ...] = tuple(s.table for s in SOURCES if s.measured and s.live)
SNAPSHOT: tuple[str, ...] = tuple(s.table for s in SOURCES if s.measured and not s.live)
OWN_ATTRIBUTES: dict[str, tuple[str, ...]] = {s.table: s.own_attributes for s in SOURCES if s.own_attributes}
FETCH_DATES: dict[str, tuple[str, ...]] = {s.table: s.fetch_dates for s in SOURCES if s.fetch_dates}
LATER_DATES: dict[str, list[str]] = {s.table: list(s.later_dates) for s in SOURCES if s.later_dates}
