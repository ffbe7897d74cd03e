"""Contract v2 files (STATUTORY.md §3, §4, §6): they load on SQLite and PostgreSQL, and bad input is rejected with
row, column, value and rule, storing nothing (issue 13 item 9)."""

from __future__ import annotations

import pytest

from data.schemas import TABLES, one_of
from tests.test_ingest_support import VALID, count, load_parents, load_rows, row

NEW_TABLES = ["quality_reviews", "referral_needs", "inspections", "inspection_grades"]


@pytest.mark.parametrize("table", NEW_TABLES)
def test_a_valid_v2_file_loads(engine, tmp_path, table):
    load_parents(engine, tmp_path, table)
    result = load_rows(engine, tmp_path, table, [VALID[table]])
    assert result.ok, result.errors
    assert count(engine, table) == 1


def test_a_reload_of_a_two_column_key_updates_the_row(engine, tmp_path):
    load_parents(engine, tmp_path, "referral_needs")
    assert load_rows(engine, tmp_path, "referral_needs", [row("referral_needs", improved="")]).ok
    again = load_rows(engine, tmp_path, "referral_needs", [row("referral_needs", improved="false")])
    assert (again.rows_inserted, again.rows_updated) == (0, 1)
    assert count(engine, "referral_needs") == 1


def test_recommendations_accept_a_report_id_and_v1_files_still_load(engine, tmp_path):
    assert load_rows(engine, tmp_path, "recommendations", [VALID["recommendations"]]).ok  # v1: no report_id column
    assert load_rows(engine, tmp_path, "inspections", [VALID["inspections"]]).ok
    linked = row("recommendations", rec_id="HM-2", report_id="IR-1")
    assert load_rows(engine, tmp_path, "recommendations", [linked]).ok
    assert count(engine, "recommendations") == 2


def _errors(result) -> list[tuple]:
    return [(e.row, e.column, e.value, e.rule) for e in result.errors]


BAD = [
    (
        "quality_reviews",
        [row("quality_reviews", result="does_not_meet", failed_criteria="")],
        [(2, "failed_criteria", "", "required unless result is meets")],
    ),
    (
        "quality_reviews",
        [row("quality_reviews", failed_criteria="accurate;rude")],
        [
            (
                2,
                "failed_criteria",
                "accurate;rude",
                "each code must be one of: " + ", ".join(TABLES["quality_reviews"].col("failed_criteria").values),
            )
        ],
    ),
    (
        "quality_reviews",
        [row("quality_reviews", entitlement_id="EN-404")],
        None,  # an unknown entitlement: checked below by column and value
    ),
    (
        "inspection_grades",
        [row("inspection_grades", grade="very_good")],
        [(2, "grade", "very_good", one_of(TABLES["inspection_grades"].col("grade").values))],
    ),
    (
        "inspections",
        [row("inspections", response_published_date="2025-05-01")],
        [(2, "response_published_date", "2025-05-01", "must be on or after published_date")],
    ),
    (
        "referral_needs",
        [row("referral_needs", referral_id="RF-404")],
        None,
    ),
    (
        "recommendations",
        [row("recommendations", report_id="IR-404")],
        [(2, "report_id", "IR-404", "report_id IR-404 not found in inspections")],
    ),
    (
        "referral_needs",
        [VALID["referral_needs"], row("referral_needs", improved="false")],
        [(3, "need", "drugs_alcohol", "duplicate referral_id and need")],
    ),
]


@pytest.mark.parametrize(("table", "rows", "expected"), BAD)
def test_bad_v2_input_is_rejected_with_row_column_value_and_rule_and_stores_nothing(
    engine, tmp_path, table, rows, expected
):
    load_parents(engine, tmp_path, table)
    result = load_rows(engine, tmp_path, table, rows)
    assert not result.ok
    if expected is None:
        [(at, column, value, rule)] = _errors(result)
        key = "entitlement_id" if table == "quality_reviews" else "referral_id"
        assert (at, column, value) == (2, key, rows[0][key])
        parent = "entitlements" if table == "quality_reviews" else "referrals"
        assert rule == f"{key} {rows[0][key]} not found in {parent}"
    else:
        assert _errors(result) == expected
    assert count(engine, table) == 0
