"""Board pack commentary on a real database (SQLite and PostgreSQL): who reads and writes it, optimistic locking,
cleaning and limits, and the audit row of every save."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlalchemy import select

from config.i18n import catalogue, placeholders
from data import commentary
from data.models import AuditLog
from rules.workflow import AccessDenied, StaleEdit, WorkflowError
from tests.accountability_support import (
    ADMIN,
    ANALYST,
    BOARD,
    INSPECTOR,
    LEAD_DA,
    LEAD_WCU,
    db_fixture,  # noqa: F401 (the db fixture)
)

AS_OF = dt.date(2026, 7, 31)
FIRST = dt.datetime(2026, 8, 3, 9, 15)
SECOND = dt.datetime(2026, 8, 4, 16, 40)
EN = "Referrals fell in August; the unit is retraining call handlers."
CY = "Gostyngodd yr atgyfeiriadau ym mis Awst; mae'r uned yn ailhyfforddi'r rhai sy'n ateb galwadau."


def save(engine, scope=LEAD_DA, portfolio="vawg_da", en=EN, cy="", version=0, as_of=AS_OF, now=FIRST):
    return commentary.save_commentary(engine, scope, portfolio, as_of, en, cy, version, now=now)


def audit_rows(engine) -> list[dict]:
    stmt = select(AuditLog.__table__).where(AuditLog.entity_type == "commentary").order_by(AuditLog.id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def test_a_lead_writes_commentary_and_every_reader_of_the_portfolio_reads_it(db):
    saved = save(db)
    assert saved == {
        "portfolio": "vawg_da", "as_of": AS_OF, "body_en": EN, "body_cy": "", "version": 1,
        "updated_by": "lead.da", "updated_at": FIRST,
    }  # fmt: skip
    for reader in (LEAD_DA, BOARD, INSPECTOR, ANALYST, ADMIN):
        assert commentary.read_commentary(db, reader, AS_OF, ["vawg_da", "witness_care"]) == {"vawg_da": saved}
    # A lead of other portfolios reads none of this one; no portfolio asked for, nothing read.
    assert commentary.read_commentary(db, LEAD_WCU, AS_OF, ["vawg_da"]) == {}
    assert commentary.read_commentary(db, BOARD, AS_OF, []) == {}
    # Keyed by the as-of date of the data it comments on: another date has none yet.
    assert commentary.read_commentary(db, BOARD, dt.date(2026, 8, 31), ["vawg_da"]) == {}


def test_every_save_is_audited_with_before_and_after(db):
    save(db)
    updated = save(db, en=EN, cy=CY, version=1, now=SECOND)
    assert (updated["version"], updated["body_cy"], updated["updated_at"]) == (2, CY, SECOND)
    rows = audit_rows(db)
    assert [(r["event"], r["actor"], r["entity_id"], r["portfolio"], r["at"]) for r in rows] == [
        ("commentary.save", "lead.da", "vawg_da@2026-07-31", "vawg_da", FIRST),
        ("commentary.save", "lead.da", "vawg_da@2026-07-31", "vawg_da", SECOND),
    ]
    assert rows[0]["before_json"] is None
    first_after = json.loads(rows[0]["after_json"])
    assert first_after == {
        "portfolio": "vawg_da", "as_of": "2026-07-31", "body_en": EN, "body_cy": "", "version": 1,
        "updated_by": "lead.da", "updated_at": "2026-08-03T09:15:00",
    }  # fmt: skip
    assert json.loads(rows[1]["before_json"]) == first_after
    second_after = json.loads(rows[1]["after_json"])
    assert (second_after["body_cy"], second_after["version"], second_after["updated_at"]) == (
        CY, 2, "2026-08-04T16:40:00",
    )  # fmt: skip


def test_a_save_against_an_older_version_is_refused_and_changes_nothing(db):
    save(db)
    save(db, en="Second thoughts.", version=1, now=SECOND)
    with pytest.raises(StaleEdit) as caught:
        save(db, scope=ADMIN, en="My edit of version 1.", version=1)
    assert caught.value.code == "commentary.errors.stale"
    assert caught.value.params == {"who": "lead.da", "version": 2}
    assert caught.value.current["body_en"] == "Second thoughts."
    assert caught.value.attempted == {"body_en": "My edit of version 1.", "body_cy": ""}
    # Writing "the first" commentary when there already is one is stale too.
    with pytest.raises(StaleEdit):
        save(db, en="Also first.", version=0)
    assert commentary.read_commentary(db, BOARD, AS_OF, ["vawg_da"])["vawg_da"]["body_en"] == "Second thoughts."
    assert len(audit_rows(db)) == 2
    message = catalogue("en")["commentary.errors.stale"].format(**caught.value.params)
    assert (
        message == "lead.da saved this commentary after you opened it (it is now version 2); your text was not saved."
    )


def test_concurrent_first_saves_let_exactly_one_through(db):
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(text: str) -> None:
        barrier.wait()
        try:
            save(db, en=text)
            outcomes.append("saved")
        except StaleEdit:
            outcomes.append("stale")

    threads = [threading.Thread(target=attempt, args=(text,)) for text in ("One.", "Two.")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["saved", "stale"]
    assert commentary.read_commentary(db, BOARD, AS_OF, ["vawg_da"])["vawg_da"]["version"] == 1
    assert len(audit_rows(db)) == 1


@pytest.mark.parametrize(
    ("scope", "portfolio", "code"),
    [(LEAD_WCU, "vawg_da", "commentary.errors.not_your_portfolio"), (BOARD, "vawg_da", "commentary.errors.forbidden"),
     (INSPECTOR, "vawg_da", "commentary.errors.forbidden"), (ANALYST, "vawg_da", "commentary.errors.forbidden"),
     (LEAD_DA, "witness_care", "commentary.errors.not_your_portfolio"), (ADMIN, "witness_care", None),
     (LEAD_WCU, "special_measures", None)],
)  # fmt: skip
def test_only_the_portfolios_leads_and_admins_write(db, scope, portfolio, code):
    if code is None:
        assert save(db, scope=scope, portfolio=portfolio)["updated_by"] == scope.username
        return
    with pytest.raises(AccessDenied) as caught:
        save(db, scope=scope, portfolio=portfolio)
    assert caught.value.code == code
    assert commentary.read_commentary(db, ADMIN, AS_OF, [portfolio]) == {}
    assert audit_rows(db) == []


def test_text_is_cleaned_and_limited(db):
    # Control characters and bidirectional overrides go, line breaks stay, tabs become spaces, decomposed
    # letters are composed (w + combining circumflex is ŵ), and the ends are trimmed.
    saved = save(db, en="  Line one\x00\x07\r\nLine\ttwo\u202e  ", cy="Y t\u0175r a'r dw\u0302r\n\n")
    assert (saved["body_en"], saved["body_cy"]) == ("Line one\nLine two", "Y tŵr a'r dŵr")
    assert save(db, en="x" * 2000, cy="Y tŵr a'r dŵr", version=1)["body_en"] == "x" * 2000  # the limit is accepted
    with pytest.raises(WorkflowError) as caught:
        save(db, cy="y" * 2001, version=2)
    assert caught.value.code == "commentary.errors.too_long"
    assert caught.value.params == {"language": "commentary.language.cy", "length": 2001, "maximum": 2000}
    for en, cy in (("", ""), ("  \t ", "\x00\n")):
        with pytest.raises(WorkflowError, match="commentary.errors.empty"):
            save(db, en=en, cy=cy, version=2)
    with pytest.raises(WorkflowError, match="commentary.errors.nothing_to_save"):
        save(db, en="x" * 2000 + "  ", cy="Y tŵr a'r dŵr", version=2)
    with pytest.raises(WorkflowError, match="commentary.errors.bad_portfolio"):
        save(db, scope=ADMIN, portfolio="Not a portfolio!")
    assert len(audit_rows(db)) == 2


def test_either_language_alone_is_read_with_the_language_it_is_in():
    both = {"body_en": "In English.", "body_cy": "Yn Gymraeg."}
    assert commentary.in_language(both, "en") == ("In English.", None)
    assert commentary.in_language(both, "cy") == ("Yn Gymraeg.", None)
    assert commentary.in_language({"body_en": "In English.", "body_cy": ""}, "cy") == ("In English.", "en")
    assert commentary.in_language({"body_en": "", "body_cy": "Yn Gymraeg."}, "en") == ("Yn Gymraeg.", "cy")
    assert commentary.in_language(None, "en") == ("", None)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_message_exists_with_its_placeholders(lang):
    messages = catalogue(lang)
    expected = {
        "commentary.errors.too_long": {"language", "length", "maximum"},
        "commentary.errors.empty": set(),
        "commentary.errors.not_your_portfolio": {"portfolio"},
        "commentary.errors.forbidden": set(),
        "commentary.errors.stale": {"who", "version"},
        "commentary.errors.nothing_to_save": set(),
        "commentary.errors.bad_portfolio": {"portfolio"},
        "commentary.language.en": set(),
        "commentary.language.cy": set(),
        "audit.events.commentary_save": set(),
        "audit.entity_types.commentary": set(),
    }
    assert {key: placeholders(messages[key]) for key in expected} == expected
