"""police.uk street and outcomes files: real Gwent months, counted independently with the csv module."""

from __future__ import annotations

import csv
import re
from collections import Counter

import pandas as pd
import pytest
from sqlalchemy import func, select

from data.models import PoliceUkOutcome, PoliceUkStreet
from data.policeuk import import_policeuk, local_authority
from tests.conftest import POLICEUK_DIR
from tests.test_ingest_support import loads

STREET = POLICEUK_DIR / "2023-01-gwent-street.csv"
OUTCOMES = POLICEUK_DIR / "2023-01-gwent-outcomes.csv"


def _rows(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _authority(lsoa_name: str) -> str | None:
    """Independent rule: drop a trailing space + 3 digits + capital letter."""
    if not lsoa_name:
        return None
    return lsoa_name[:-5] if re.search(r" \d{3}[A-Z]$", lsoa_name) else lsoa_name


@pytest.mark.parametrize(
    ("name", "authority"),
    [("Torfaen 009E", "Torfaen"), ("Blaenau Gwent 001A", "Blaenau Gwent"), ("Rhondda Cynon Taf 012C",
     "Rhondda Cynon Taf"), ("", None)],
)  # fmt: skip
def test_local_authority_from_lsoa_name(name, authority):
    got = local_authority(pd.Series([name], dtype="str")).iloc[0]
    assert (None if pd.isna(got) else got) == authority


def test_two_real_files_load_with_the_counts_of_the_files(engine):
    street, outcomes = _rows(STREET), _rows(OUTCOMES)
    results = import_policeuk(engine, [STREET, OUTCOMES])
    assert [(r.table, r.ok, r.rows_inserted) for r in results] == [
        ("policeuk_street", True, len(street)),
        ("policeuk_outcomes", True, len(outcomes)),
    ]
    distinct_ids = {r["Crime ID"] for r in street if r["Crime ID"]}
    asb = sum(1 for r in street if not r["Crime ID"])
    by_authority = Counter(_authority(r["LSOA name"]) for r in street)
    with engine.connect() as conn:
        s = PoliceUkStreet
        got_distinct = conn.execute(select(func.count(func.distinct(s.crime_id)))).scalar_one()
        got_asb = conn.execute(select(func.count()).where(s.crime_id.is_(None))).scalar_one()
        got_split = dict(conn.execute(select(s.local_authority, func.count()).group_by(s.local_authority)).all())
        asb_type = conn.execute(select(s.crime_type).distinct().where(s.crime_id.is_(None))).scalars().all()
        months = conn.execute(select(s.file_month).distinct()).scalars().all()
        outcome_count = conn.execute(select(func.count()).select_from(PoliceUkOutcome)).scalar_one()
    assert got_distinct == len(distinct_ids) and got_distinct < len(street) - asb  # some IDs repeat in the file
    assert got_asb == asb > 0
    assert asb_type == ["Anti-social behaviour"]
    assert got_split == dict(by_authority)
    assert {"Newport", "Caerphilly", "Torfaen", "Monmouthshire", "Blaenau Gwent"} <= set(got_split)
    assert months == ["2023-01"]
    assert outcome_count == len(outcomes)


def test_reloading_a_month_replaces_its_rows(engine):
    import_policeuk(engine, [STREET])
    [again] = import_policeuk(engine, [STREET])
    street = _rows(STREET)
    assert (again.ok, again.rows_inserted, again.rows_updated) == (True, 0, len(street))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(PoliceUkStreet)).scalar_one() == len(street)
        load_ids = conn.execute(select(PoliceUkStreet.load_id).distinct()).scalars().all()
    assert load_ids == [again.load_id]
    assert [r[:2] for r in loads(engine)] == [("policeuk_street", "loaded")] * 2


def test_a_wrong_header_or_month_rejects_the_file(engine, tmp_path):
    lines = STREET.read_text(encoding="utf-8-sig").splitlines()
    renamed = tmp_path / "2023-01-gwent-street.csv"
    renamed.write_text("\n".join([lines[0].replace("Crime type", "Crime Type"), *lines[1:4]]) + "\n")
    [header] = import_policeuk(engine, [renamed])
    assert header.outcome == "rejected" and "header must be exactly" in header.errors[0].rule
    bad_month = tmp_path / "2023-02-gwent-street.csv"
    bad_month.write_text("\n".join([lines[0], lines[1], lines[2].replace(",2023-01,", ",Jan-23,", 1)]) + "\n")
    [month] = import_policeuk(engine, [bad_month])
    assert [(e.row, e.column, e.value) for e in month.errors] == [(3, "Month", "Jan-23")]
    badly_named = tmp_path / "gwent-street.csv"
    badly_named.write_text(lines[0] + "\n")
    [name] = import_policeuk(engine, [badly_named])
    assert not name.ok and "file name" in name.errors[0].rule
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(PoliceUkStreet)).scalar_one() == 0
    assert [r[1] for r in loads(engine)] == ["rejected"] * 3


def test_a_directory_loads_only_police_uk_files(engine, tmp_path):
    (tmp_path / "2023-01-gwent-outcomes.csv").write_bytes(OUTCOMES.read_bytes())
    (tmp_path / "README.txt").write_text("not data")
    (tmp_path / "victims.csv").write_text("case_id\n")
    results = import_policeuk(engine, [tmp_path])
    assert [(r.table, r.file_name, r.ok) for r in results] == [
        ("policeuk_outcomes", "2023-01-gwent-outcomes.csv", True)
    ]
