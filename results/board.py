"""The board's whole-framework view from scorecard rows: the Making Data Count summary matrix (variation × assurance)
and, per portfolio, the measures that need attention (red, or special cause concern) with whether an open action
covers each. Placing rows only: every reading comes computed from results.scorecards."""

from __future__ import annotations

import pandas as pd

# The matrix reads top-left to bottom-right from "act now" to "no reading": concern before improvement, a failing
# process before one that passes.
VARIATION_CLASSES = ("concern", "improvement", "neutral", "common_cause", "none")
ASSURANCE_CLASSES = ("fail", "hit_and_miss", "pass", "none")
DONE_STATUSES = frozenset({"complete", "closed"})
ATTENTION_COLUMNS = [
    "portfolio_id", "metric_id", "red", "concern", "action_id", "action_status", "action_owner", "action_due",
]  # fmt: skip


def variation_class(variation) -> str:
    """The matrix row of a variation icon: concern, improvement, neutral (high or low alike), common cause, none."""
    if not isinstance(variation, str) or not variation:
        return "none"
    for kind in ("concern", "improvement", "neutral"):
        if variation.startswith(kind):
            return kind
    return "common_cause" if variation == "common_cause" else "none"


def assurance_class(assurance) -> str:
    """The matrix column of an assurance icon; none when there is no target or no reading."""
    return assurance if isinstance(assurance, str) and assurance in ASSURANCE_CLASSES else "none"


def summary_matrix(cards: pd.DataFrame) -> pd.DataFrame:
    """Every scorecard row placed in the matrix: portfolio_id, metric_id, variation_class, assurance_class, rag,
    in scorecard order (a suppressed headline has no icons, so it sits in the "none" row and column)."""
    return pd.DataFrame(
        {
            "portfolio_id": cards["portfolio_id"].to_numpy(),
            "metric_id": cards["metric_id"].to_numpy(),
            "variation_class": [variation_class(v) for v in cards["variation"]],
            "assurance_class": [assurance_class(a) for a in cards["assurance"]],
            "rag": cards["rag"].to_numpy(),
        }
    )


def matrix_counts(matrix: pd.DataFrame) -> pd.DataFrame:
    """How many measures sit in each cell: variation classes down, assurance classes across (every cell present)."""
    counts = pd.crosstab(matrix["variation_class"], matrix["assurance_class"])
    return counts.reindex(index=list(VARIATION_CLASSES), columns=list(ASSURANCE_CLASSES), fill_value=0)


def open_actions_by_measure(actions: pd.DataFrame) -> pd.DataFrame:
    """The open actions raised from a measure (source_type "metric"; the source_ref is the measure id), one per
    (portfolio, measure): the one due first."""
    columns = ["portfolio", "metric_id", "action_id", "status", "owner", "due_date"]
    if actions is None or actions.empty:
        return pd.DataFrame(columns=columns)
    open_ = actions.loc[(actions["source_type"] == "metric") & ~actions["status"].isin(DONE_STATUSES)]
    open_ = open_.rename(columns={"source_ref": "metric_id"}).sort_values(["due_date", "action_id"])
    return open_.drop_duplicates(["portfolio", "metric_id"])[columns].reset_index(drop=True)


def needs_attention(cards: pd.DataFrame, actions: pd.DataFrame | None) -> pd.DataFrame:
    """The measures of each portfolio that are red or show special cause concern, in scorecard order, each with the
    open action that covers it (raised from that measure in that portfolio), if any (ATTENTION_COLUMNS)."""
    red = cards["rag"].eq("red").to_numpy()
    concern = [variation_class(v) == "concern" for v in cards["variation"]]
    flagged = cards.loc[red | pd.Series(concern, index=cards.index).to_numpy(), ["portfolio_id", "metric_id"]].copy()
    flagged["red"] = cards.loc[flagged.index, "rag"].eq("red").to_numpy()
    flagged["concern"] = [variation_class(v) == "concern" for v in cards.loc[flagged.index, "variation"]]
    renamed = {
        "portfolio": "portfolio_id",
        "status": "action_status",
        "owner": "action_owner",
        "due_date": "action_due",
    }
    covering = open_actions_by_measure(actions).rename(columns=renamed)
    out = flagged.merge(covering, on=["portfolio_id", "metric_id"], how="left").reindex(columns=ATTENTION_COLUMNS)
    return out.astype(object).where(out.notna(), None)
