"""The Victims' Code page's statutory views (STATUTORY.md §1, §7) through one AppTest run: delivery beside the duty by
right with metrics/'s numbers, the good reasons by unit showing the demo's planted unit, compliance by owning agency,
and the MoJ return relabelled as the legacy template with probation's release area showing no data loaded."""

from __future__ import annotations

import pandas as pd

from data import demo_params as P
from data import queries
from data.engine import make_engine
from metrics.catalogue import load_catalogue
from metrics.measures import compute, prepare
from metrics.periods import rolling_12
from tests.test_page_victims_code import frame_with, open_victims_code, rate_text

OTHER = "Other reason, documented"


def _shown(row: pd.Series) -> str:
    text = rate_text(row)
    return text if row["suppressed"] else f"{text} ({row['numerator']:,.0f} of {row['denominator']:,.0f})"


def test_duty_good_reasons_agencies_and_the_legacy_return(seeded_db_url, seeded_app_env):
    catalogue = load_catalogue()
    engine = make_engine(seeded_db_url)
    as_of = queries.latest_as_of(engine)
    period = rolling_12(as_of)
    frames = queries.metric_frames(engine, period.start.date(), period.end.date(), as_of=as_of)
    engine.dispose()
    ids = [f"{family}_RIGHT_{n}" for family in ("VCOP", "DUTY") for n in range(1, 13)]
    prepared = prepare(frames, catalogue, as_of=as_of, start=period.start, end=period.end)
    rows = compute(prepared, catalogue, periods=[period], portfolio="vcop", metric_ids=ids)

    at = open_victims_code("inspector", portfolio="vcop")
    assert not at.exception

    # Delivery and the duty side by side, right by right, as metrics/ counts them.
    duty = frame_with(at, catalogue.measure("DUTY_OVERALL").name)
    assert list(duty["Right"]) == list(range(1, 13))
    for _, shown in duty.iterrows():
        n = shown["Right"]
        for family, measure in (("VCOP", "VCOP_OVERALL"), ("DUTY", "DUTY_OVERALL")):
            row = rows.loc[rows["metric_id"] == f"{family}_RIGHT_{n}"].iloc[0]
            assert shown[catalogue.measure(measure).name] == _shown(row), (family, n)

    # The planted signal: one unit gives "other, documented" for a third of its shortfalls in the last months.
    reasons = frame_with(at, "Reason used most").set_index("Unit")
    assert reasons.loc[P.PLANTED_EXC_UNIT, "Reason used most"] == OTHER
    assert reasons[OTHER].idxmax() == P.PLANTED_EXC_UNIT
    assert reasons.loc[P.PLANTED_EXC_UNIT, OTHER] > 2 * reasons[OTHER].drop(P.PLANTED_EXC_UNIT).max()

    # Grouped by owning agency: probation's release information has no data loaded in the demo.
    agencies = frame_with(at, "Agency")
    assert set(agencies["Agency"]) == {"Police", "Crown Prosecution Service", "Witness Care Unit",
                                       "Probation (Victim Contact Scheme)"}  # fmt: skip
    probation = agencies.loc[agencies["Agency"] == "Probation (Victim Contact Scheme)"]
    assert set(probation["Compliance"]) == {"No data loaded"}

    # The MoJ return is the legacy 2020-Code template, and its release area shows no data loaded.
    assert catalogue.moj_title in [h.value for h in at.subheader]
    release = catalogue.measure("VCOP_MOJ_RELEASE").name
    moj = next(df.value for df in at.dataframe if release in set(df.value.iloc[:, 0]))
    assert set(moj.loc[moj.iloc[:, 0] == release].iloc[0, 1:]) == {"No data loaded"}
