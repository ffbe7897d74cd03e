"""The contract's cell and row rules, checked without a database: parsing, enumerations, cross-column rules."""

from __future__ import annotations

import pandas as pd
import pytest

from data.ingest_check import BOOL_RULE, DATE_RULE, INT_RULE, SeenKeys, check_chunk
from data.ingest_read import header_errors
from data.schemas import (
    FORBIDDEN_COLUMNS,
    TABLES,
    entitlement_codes,
    forbidden_match,
    normalise_column_name,
    one_of,
    pandera_schema,
)
from tests.test_ingest_support import VALID, row


def other(table: str, **changes: str) -> dict[str, str]:
    """A second row of `table` (its own key) with some cells changed."""
    spec = TABLES[table]
    key = spec.key_from[-1] if spec.key_from else spec.key  # a two-column key: change its second part
    if spec.key_from and spec.col(key).kind == "enum":
        return row(table, **{spec.key_from[0]: VALID[table][spec.key_from[0]] + "-2"}, **changes)
    return row(table, **{key: VALID[table][key] + "-2"}, **changes)


def check(table: str, rows: list[dict[str, str]]):
    """Parse and check rows (row n of the list is file row n + 2); returns (checked, errors as tuples)."""
    raw = pd.DataFrame(rows, dtype="str")
    raw.index = pd.RangeIndex(2, 2 + len(raw))
    checked = check_chunk(TABLES[table], raw)
    errors = sorted((int(r), c, v, rule) for r, c, v, rule in checked.errors.itertuples(index=False))
    return checked, errors


@pytest.mark.parametrize("table", list(TABLES))
def test_the_valid_row_of_every_table_passes(table):
    _, errors = check(table, [VALID[table]])
    assert errors == []


ENUM_COLUMNS = [(t, c.name) for t, spec in TABLES.items() for c in spec.columns if c.kind == "enum"]


@pytest.mark.parametrize(("table", "column"), ENUM_COLUMNS)
def test_every_enum_column_rejects_a_value_outside_its_list(table, column):
    values = TABLES[table].col(column).values
    _, errors = check(table, [VALID[table], other(table, **{column: "Bogus"})])
    assert errors == [(3, column, "Bogus", one_of(values))]


def test_enum_values_are_case_sensitive_and_the_rule_lists_them():
    _, errors = check("referrals", [row("referrals", source="Police")])
    assert errors == [(2, "source", "Police", "must be one of: police, self, partner")]


def test_entitlement_codes_are_the_catalogue_codes():
    assert "R6_SUSPECT_UPDATE" in entitlement_codes()
    _, errors = check("entitlements", [row("entitlements", code="R99_MADE_UP")])
    assert [e[:3] for e in errors] == [(2, "code", "R99_MADE_UP")]


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("2023-01-05", "2023-01-05"),
        ("2023-01-05T10:30", "2023-01-05"),  # a datetime is reduced to its date
        ("2023-01-05T23:59:59", "2023-01-05"),
        ("2024-02-29", "2024-02-29"),  # leap day
        ("1900-01-01", "1900-01-01"),
        ("2099-12-31", "2099-12-31"),
    ],
)
def test_dates_accepted(text, stored):
    checked, errors = check("entitlements", [row("entitlements", trigger_date=text, delivered_date="")])
    assert errors == []
    assert checked.values.at[2, "trigger_date"] == stored
    assert checked.typed.at[2, "trigger_date"] == pd.Timestamp(stored)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("2023-02-30", DATE_RULE),  # no such day
        ("2023-02-29", DATE_RULE),  # not a leap year
        ("2023-13-01", DATE_RULE),
        ("2023-1-5", DATE_RULE),
        ("05/01/2023", DATE_RULE),
        ("2023-01-05 10:30", DATE_RULE),  # the contract's datetime has a T
        ("2023-01-05T25:00", DATE_RULE),
        ("2023-01-05T10:30+01:00", DATE_RULE),
        ("yesterday", DATE_RULE),
        ("1899-12-31", "must be between 1900-01-01 and 2099-12-31"),  # out of range
        ("2100-01-01", "must be between 1900-01-01 and 2099-12-31"),
        ("0203-01-05", "must be between 1900-01-01 and 2099-12-31"),
    ],
)
def test_bad_dates_are_errors_naming_the_cell(text, rule):
    bad = other("entitlements", trigger_date=text, delivered_date="")
    _, errors = check("entitlements", [VALID["entitlements"], bad])
    assert errors == [(3, "trigger_date", text, rule)]


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("TRUE", True), ("Yes", True), ("y", True), ("Y", True), ("1", True),
     ("false", False), ("False", False), ("NO", False), ("n", False), ("0", False), ("", None)],
)  # fmt: skip
def test_booleans_any_case(text, value):
    checked, errors = check("referrals", [row("referrals", support_accepted=text)])
    assert errors == []
    got = checked.values.at[2, "support_accepted"]
    assert (None if pd.isna(got) else bool(got)) == value


@pytest.mark.parametrize("text", ["maybe", "2", "t", "ja", "-1"])
def test_other_boolean_words_are_errors(text):
    _, errors = check("referrals", [row("referrals", support_accepted=text)])
    assert errors == [(2, "support_accepted", text, BOOL_RULE)]


def test_a_required_boolean_left_empty_is_required_not_a_bad_word():
    _, errors = check("victims", [row("victims", hate_crime="")])
    assert errors == [(2, "hate_crime", "", "required")]


@pytest.mark.parametrize(
    ("text", "error"),
    [("1", None), ("7", None), ("+4", None), ("", None), ("0", "must be a whole number from 1 to 7"),
     ("8", "must be a whole number from 1 to 7"), ("5.0", INT_RULE), ("five", INT_RULE), ("4.5", INT_RULE)],
)  # fmt: skip
def test_survey_answers_are_whole_numbers_1_to_7(text, error):
    _, errors = check("survey_responses", [row("survey_responses", q_treatment=text)])
    assert errors == ([] if error is None else [(2, "q_treatment", text, error)])


@pytest.mark.parametrize(
    ("table", "changes", "column", "rule"),
    [
        ("victims", {"recorded_date": "2023-01-04"}, "recorded_date", "must be on or after reported_date"),
        ("victims", {"enhanced_reason": ""}, "enhanced_reason", "required when enhanced_rights is true"),
        ("victims", {"outcome_date": ""}, "outcome_date", "required unless outcome is ongoing"),
        ("victims", {"outcome_date": "2022-12-31"}, "outcome_date", "must be on or after reported_date"),
        ("entitlements", {"delivered_date": "2023-01-04"}, "delivered_date", "must be on or after trigger_date"),
        ("referrals", {"first_contact_date": "2023-01-05"}, "first_contact_date", "must be on or after referral_date"),
        ("referrals", {"needs_assessed_date": "2022-01-01"}, "needs_assessed_date",
         "must be on or after referral_date"),
        ("referrals", {"closed_date": "2023-01-01"}, "closed_date", "must be on or after referral_date"),
        ("special_measures", {"decision_date": "2023-03-31"}, "decision_date", "must be on or after application_date"),
        ("engagement_events", {"new_participants": "13"}, "new_participants", "must not be more than participants"),
        ("engagement_events", {"participants": "-1", "new_participants": ""}, "participants", "must be 0 or more"),
    ],
)  # fmt: skip
def test_cross_column_rules_name_the_row_and_column(table, changes, column, rule):
    _, errors = check(table, [VALID[table], other(table, **changes)])
    assert errors == [(3, column, changes[column], rule)]


@pytest.mark.parametrize(
    ("changes", "ok"),
    [
        ({"outcome": "ongoing", "outcome_date": ""}, True),
        ({"enhanced_rights": "false", "enhanced_reason": ""}, True),
        ({"recorded_date": "2023-01-05"}, True),  # same day is on or after
        ({"recorded_date": ""}, True),
    ],
)
def test_cross_column_rules_let_valid_rows_through(changes, ok):
    _, errors = check("victims", [row("victims", **changes)])
    assert (errors == []) is ok


def test_delivered_before_trigger_with_a_datetime_is_compared_as_dates():
    same_day = row("entitlements", trigger_date="2023-01-05T18:00", delivered_date="2023-01-05")
    _, errors = check("entitlements", [same_day])
    assert errors == []


@pytest.mark.parametrize(
    ("text", "stored", "ok"),
    [("screens", "screens", True), ("screens; live_link", "screens;live_link", True), ("", None, True),
     ("screens;;intermediary;", "screens;intermediary", True), ("screens;ear_defenders", None, False)],
)  # fmt: skip
def test_special_measures_each_from_the_allowed_list(text, stored, ok):
    checked, errors = check("special_measures", [row("special_measures", measures=text)])
    if ok:
        assert errors == []
        got = checked.values.at[2, "measures"]
        assert (None if pd.isna(got) else got) == stored
    else:
        assert [e[:3] for e in errors] == [(2, "measures", text)]
        assert errors[0][3].startswith("each measure must be one of: screens, live_link")


def test_text_longer_than_the_contract_limit():
    topic = "x" * 201
    _, errors = check("engagement_events", [row("engagement_events", topic=topic)])
    assert errors == [(2, "topic", topic, "must be at most 200 characters")]


def test_text_limit_from_the_database_column_when_the_contract_has_none():
    area = "A" * 65  # referrals.area is VARCHAR(64): PostgreSQL would refuse it mid-load
    _, errors = check("referrals", [row("referrals", area=area)])
    assert errors == [(2, "area", area, "must be at most 64 characters")]


def test_required_values_and_duplicate_keys_in_one_chunk():
    rows = [VALID["actions"], row("actions", title=""), row("actions", action_id="AC-2", owner="")]
    _, errors = check("actions", rows)
    assert errors == [(3, "action_id", "AC-1", "duplicate action_id"), (3, "title", "", "required"),
                      (4, "owner", "", "required")]  # fmt: skip


def test_an_unparseable_required_cell_is_reported_once():
    _, errors = check("victims", [row("victims", reported_date="2023-02-30")])
    assert errors == [(2, "reported_date", "2023-02-30", DATE_RULE)]


def test_seen_keys_flags_repeats_across_chunks_only_after_first_sight():
    seen = SeenKeys()
    first = seen.repeated(pd.Series(["A", "B", None], dtype="str"))
    second = seen.repeated(pd.Series(["C", "A", None, "B"], dtype="str"))
    assert first.tolist() == [False, False, False]
    assert second.tolist() == [False, True, False, True]


# ---------------------------------------------------------------- headers


@pytest.mark.parametrize("name", FORBIDDEN_COLUMNS)
def test_every_forbidden_name_is_recognised(name):
    assert forbidden_match(name) == name


@pytest.mark.parametrize(
    ("header", "forbidden"),
    [
        ("First Name", "first_name"),
        ("  SURNAME ", "surname"),
        ("Date-Of-Birth", "date_of_birth"),
        ("Post Code", "post_code"),
        ("E-mail", "email"),  # e_mail: caught by also comparing without underscores (stricter than the contract)
        ("FirstName", "first_name"),
        ("NHSNumber", "nhs_number"),
        ("case_id", None),
        ("unit_name", None),  # not a person's name
        ("area", None),
        ("street_name", None),
        ("phone_contact_made", None),
    ],
)
def test_forbidden_column_variants(header, forbidden):
    assert forbidden_match(header) == forbidden


def test_normalised_column_name():
    assert normalise_column_name("  Date of-Birth ") == "date_of_birth"


def test_header_errors_forbidden_missing_repeated():
    header = [*VALID["entitlements"], "Email", "case_id", "notes"]
    header.remove("code")
    errors = header_errors(TABLES["entitlements"], header, "entitlements.csv")
    assert [(e.row, e.column) for e in errors] == [(1, "Email"), (1, "case_id"), (1, "code")]
    assert "personal data" in errors[0].rule and "email" in errors[0].rule
    assert errors[1].rule == "column appears more than once in the header"
    assert errors[2].rule == "required column missing"


def test_missing_column_hint_for_a_case_mismatch():
    header = [c if c != "case_id" else "Case_ID" for c in VALID["entitlements"]]
    [error] = header_errors(TABLES["entitlements"], header, "entitlements.csv")
    assert (error.column, error.rule) == ("case_id", "required column missing (found 'Case_ID': column names are "
                                           "case-sensitive, without spaces)")  # fmt: skip


def test_pandera_schema_declares_every_contract_column():
    for table, spec in TABLES.items():
        schema = pandera_schema(table)
        assert list(schema.columns) == list(spec.column_names)
        assert schema.columns[spec.key].unique
        assert {n for n, c in schema.columns.items() if not c.nullable} == set(spec.required_columns)


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        ([["A", "B"], ["C", "D"]], [[False, False], [False, False]]),  # ascending: nothing hashed
        ([["C", "D"], ["A", "D"]], [[False, False], [False, True]]),  # out of order: earlier keys are hashed
        ([["A", "B"], ["C", "A"], ["B", "E"]], [[False, False], [False, True], [True, False]]),
        ([["B", "A"], ["A"]], [[False, False], [True]]),
    ],
)
def test_seen_keys_in_and_out_of_order(chunks, expected):
    seen = SeenKeys()
    assert [seen.repeated(pd.Series(c, dtype="str")).tolist() for c in chunks] == expected


def test_a_check_that_cannot_run_stops_the_load_instead_of_passing(monkeypatch):
    import pandera.pandas as pa

    from data import ingest_check

    broken = pa.DataFrameSchema(checks=[pa.Check(lambda d: d["no_such_column"] > 1, error="broken")])
    monkeypatch.setattr(ingest_check, "pandera_schema", lambda table: broken)
    with pytest.raises(RuntimeError, match="could not run"):
        check("actions", [VALID["actions"]])


def test_entitlement_codes_follow_the_catalogue_file(tmp_path, monkeypatch):
    from data import ingest_enums

    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text("entitlements:\n  - {code: R1_NEW, right: 1}\n  - {code: R2_NEW, right: 2}\n")
    monkeypatch.setattr(ingest_enums, "CATALOGUE_PATH", catalogue)
    ingest_enums.entitlement_codes.cache_clear()
    try:
        assert ingest_enums.entitlement_codes() == ("R1_NEW", "R2_NEW")
        catalogue.write_text("version: x\n")  # no entitlements listed: the METRICS.md defaults
        ingest_enums.entitlement_codes.cache_clear()
        assert ingest_enums.entitlement_codes() == ingest_enums.DEFAULT_ENTITLEMENT_CODES
    finally:
        ingest_enums.entitlement_codes.cache_clear()
