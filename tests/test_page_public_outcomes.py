"""The Public outcomes page: who may open it, police.uk volumes, outcomes and PUB_* measures that match the reference
street files (read in the police.uk data's own window, not the victims' as-of date), SPC, and the OGL attribution."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from auth.roles import Scope
from config.i18n import format_number, format_percent
from tests.apptest_support import POLICEUK_MONTHS, open_page, sign_in
from tests.conftest import POLICEUK_DIR
from ui.public_data import loaded_window, monthly_counts, outcome_counts_of, volumes_table

PAGE = "app_pages/public_outcomes.py"
READERS = ("lead.da", "lead.wcu", "board", "inspector")
UNRESOLVED = {"", "Under investigation", "Awaiting court outcome", "Status update unavailable"}
OGL = "Contains public sector information licensed under the Open Government Licence v3.0."
OGL_CY = "Yn cynnwys gwybodaeth sector cyhoeddus a drwyddedir o dan y Drwydded Llywodraeth Agored v3.0."


@pytest.fixture(scope="module")
def street():
    """The crimes of the street files the seeded database loads, one row each, read from the reference files."""
    files = [POLICEUK_DIR / f"{month}-gwent-street.csv" for month in POLICEUK_MONTHS]
    rows = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)
    crimes = rows.loc[rows["Crime ID"] != ""]
    assert crimes["Crime ID"].is_unique  # each crime is listed once, so its row is its first and last appearance
    return pd.DataFrame(
        {
            "crime_type": crimes["Crime type"],
            "local_authority": crimes["LSOA name"].str.rsplit(" ", n=1).str[0],
            "outcome": crimes["Last outcome category"].str.strip(),
        }
    )


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_every_reader_sees_the_police_uk_numbers_of_the_reference_files(seeded_reading_env, street):
    resolved = street.loc[~street["outcome"].isin(UNRESOLVED)]
    unable = int((resolved["outcome"] == "Unable to prosecute suspect").sum())
    for username in READERS:
        at = open_page(sign_in(username), PAGE)
        assert not at.exception, username
        captions = " ".join(c.value for c in at.caption)
        # The page's window is that of police.uk, although the victims' data runs to 2026.
        assert "loaded from November 2023 to December 2023" in captions
        assert "Showing 1 November 2023 to 31 December 2023" in captions
        assert OGL in captions
        measures = frame_with(at, "Variation (SPC)").set_index("Measure")
        assert measures.at["Recorded crimes (police.uk)", "Value"] == format_number(len(street))
        share = measures.loc["Unable to prosecute suspect share (police.uk)"]
        assert share["Value"] == format_percent(unable / len(resolved))
        assert share["Base"] == f"{unable:,} of {len(resolved):,}"
        by_area = frame_with(at, "Local authority").set_index("Local authority")["Total"]
        # Crimes police.uk gives no location are named, so that the areas add up to every recorded crime.
        expected = street["local_authority"].replace("", "Location not recorded").value_counts()
        assert by_area.to_dict() == expected.to_dict() and by_area.sum() == len(street)
        by_type = frame_with(at, "Crime type").set_index("Crime type")
        assert by_type["Total"].to_dict() == street["crime_type"].value_counts().to_dict()
        assert list(by_type.columns) == [*POLICEUK_MONTHS, "Total"]
        outcomes = frame_with(at, "Latest outcome").set_index("Latest outcome")["Count"]
        expected = street["outcome"].replace("", "No outcome recorded yet").value_counts()
        assert outcomes.to_dict() == expected.to_dict()
        spc = [df.value for df in at.dataframe if "Rule" in df.value.columns]
        assert [list(df["Month"]) for df in spc] == [list(POLICEUK_MONTHS)] * 2


@pytest.mark.parametrize("username", ["analyst", "admin"])
def test_analysts_and_admins_cannot_open_the_page(seeded_reading_env, username):
    with pytest.raises(ValueError):
        open_page(sign_in(username), PAGE)


def test_the_page_reads_in_welsh_with_the_welsh_licence_text(seeded_reading_env):
    at = AppTest.from_file(f"../{PAGE}", default_timeout=60)
    at.session_state["vsd_scope"] = Scope.for_user("inspector", ["inspector"])
    at.session_state["vsd_lang"] = "cy"
    at.run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert OGL_CY in captions and OGL not in captions
    assert frame_with(at, "Awdurdod lleol") is not None


# ---- the police.uk window and counts, by hand


@pytest.mark.parametrize(
    ("months", "file_months", "expected"),
    [
        ([], [], None),
        (["2023-11", "2023-12"], ["2023-11", "2023-12"], ((2023, 11, 1), (2023, 12, 31))),
        # A crime first listed in an earlier file than its own month still opens the window at its month.
        (["2022-06", "2023-02"], ["2022-07", "2023-02"], ((2022, 6, 1), (2023, 2, 28))),
    ],
)
def test_loaded_window(months, file_months, expected):
    frame = pd.DataFrame(
        {"month": pd.array(months, dtype="string"), "file_month": pd.array(file_months, dtype="string")}
    )
    window = loaded_window(frame)
    assert window == (None if expected is None else (dt.date(*expected[0]), dt.date(*expected[1])))


def crimes(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": pd.to_datetime([m for m, _, _ in rows]),
            "area": [a for _, a, _ in rows],
            "crime_type": ["Burglary"] * len(rows),
            "last_outcome": [o for _, _, o in rows],
        }
    )


def test_monthly_counts_and_outcomes():
    frame = crimes(
        ("2023-11-01", "Newport", "Unable to prosecute suspect"),
        ("2023-11-01", "Newport", ""),
        ("2023-11-01", "Torfaen", "Local resolution"),
        ("2023-12-01", "Torfaen", "Unable to prosecute suspect"),
    )
    counts = monthly_counts(frame, "area")
    assert counts.assign(month=counts["month"].dt.strftime("%Y-%m")).values.tolist() == [
        ["2023-11", "Newport", 2],
        ["2023-11", "Torfaen", 1],
        ["2023-12", "Torfaen", 1],
    ]
    table = volumes_table(counts, "area", "Local authority")
    assert table.to_dict("list") == {
        "Local authority": ["Newport", "Torfaen"],
        "2023-11": [2, 1],
        "2023-12": [0, 1],
        "Total": [2, 2],
    }
    assert outcome_counts_of(frame).values.tolist() == [
        ["Unable to prosecute suspect", 2],
        ["Local resolution", 1],
        ["No outcome recorded yet", 1],
    ]
