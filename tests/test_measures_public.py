"""police.uk measures: distinct crimes by month of first appearance, last outcomes; checked on real Gwent files too."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.measures_public import crimes
from metrics.periods import months
from tests.conftest import POLICEUK_DIR
from tests.measures_fixtures import counts, run

WINDOW = {"start": "2023-01-01", "end": "2023-03-31", "as_of": "2023-03-31"}
PERIODS_BY_MONTH = months("2023-01-01", "2023-03-31")


def street(rows):
    columns = ["crime_id", "month", "file_month", "local_authority", "crime_type", "last_outcome"]
    return pd.DataFrame(rows, columns=columns).astype("string")


ROWS = [
    ("A", "2023-01", "2023-01", "Newport", "Burglary", "Under investigation"),
    ("A", "2023-01", "2023-02", "Newport", "Burglary", "Unable to prosecute suspect"),  # A's later file
    ("B", "2023-01", "2023-01", "Torfaen", "Robbery", "Unable to prosecute suspect"),
    ("B", "2023-01", "2023-01", "Torfaen", "Robbery", "Unable to prosecute suspect"),  # listed twice: once
    ("C", "2023-02", "2023-02", "Newport", "Shoplifting", "Investigation complete; no suspect identified"),
    ("D", "2023-02", "2023-02", "Newport", "Shoplifting", "Status update unavailable"),
    ("E", "2023-02", "2023-02", "Newport", "Shoplifting", None),
    (None, "2023-02", "2023-02", "Newport", "Anti-social behaviour", None),  # ASB: no Crime ID
    ("F", "2023-04", "2023-04", "Newport", "Shoplifting", "Unable to prosecute suspect"),  # after the window
]


def test_crimes_are_distinct_with_first_month_and_latest_outcome():
    table = crimes(street(ROWS)).set_index("crime_id")
    assert sorted(table.index) == ["A", "B", "C", "D", "E", "F"]
    assert table.loc["A", "last_outcome"] == "Unable to prosecute suspect"
    assert str(table.loc["A", "month"].date()) == "2023-01-01"


def test_crimes_and_unable_to_prosecute_share_by_month():
    result = run({"policeuk_street": street(ROWS)}, metric_ids=["PUB_CRIMES", "PUB_UNABLE_TO_PROSECUTE"],
                 periods=PERIODS_BY_MONTH, **WINDOW)  # fmt: skip
    assert counts(result, "PUB_CRIMES", label="2023-01") == (2, None)
    assert counts(result, "PUB_CRIMES", label="2023-02") == (3, None)
    assert counts(result, "PUB_CRIMES", label="2023-03") == (0, None)
    # January: A and B both end "Unable to prosecute suspect".  February: C resolved; D unavailable, E blank.
    assert counts(result, "PUB_UNABLE_TO_PROSECUTE", label="2023-01") == (2, 2)
    assert counts(result, "PUB_UNABLE_TO_PROSECUTE", label="2023-02") == (0, 1)
    by_area = run({"policeuk_street": street(ROWS)}, metric_ids=["PUB_CRIMES"], by="area", **WINDOW)
    assert counts(by_area, "PUB_CRIMES", "Newport") == (4, None)
    assert counts(by_area, "PUB_CRIMES", "Torfaen") == (1, None)


@pytest.mark.skipif(not POLICEUK_DIR.is_dir(), reason="reference police.uk files not present")
def test_real_gwent_street_file():
    """January 2023 alone: every distinct Crime ID first appears that month; the share follows its definition."""
    raw = pd.read_csv(POLICEUK_DIR / "2023-01-gwent-street.csv", dtype=str)
    frame = pd.DataFrame(
        {
            "id": range(len(raw)),
            "crime_id": raw["Crime ID"],
            "month": raw["Month"],
            "file_month": "2023-01",
            "local_authority": raw["LSOA name"].str.replace(r"\s+\w+$", "", regex=True),
            "crime_type": raw["Crime type"],
            "last_outcome": raw["Last outcome category"],
        }
    ).astype("string")
    ids = raw["Crime ID"].dropna()
    # Independently: per crime, its outcomes in file order; the first resolved one if any, else it is unresolved.
    pending = {"", "Under investigation", "Awaiting court outcome", "Status update unavailable"}
    chosen = {}
    for crime, outcome in zip(raw["Crime ID"], raw["Last outcome category"].fillna(""), strict=True):
        if isinstance(crime, str) and (crime not in chosen or (chosen[crime] in pending and outcome not in pending)):
            chosen[crime] = outcome
    resolved = [o for o in chosen.values() if o not in pending]
    expected_share = (sum(o == "Unable to prosecute suspect" for o in resolved), len(resolved))
    result = run({"policeuk_street": frame}, metric_ids=["PUB_CRIMES", "PUB_UNABLE_TO_PROSECUTE"],
                 start="2023-01-01", end="2023-01-31", as_of="2023-12-31")  # fmt: skip
    assert counts(result, "PUB_CRIMES") == (ids.nunique(), None)
    assert counts(result, "PUB_UNABLE_TO_PROSECUTE") == expected_share
    assert ids.nunique() > 1000
