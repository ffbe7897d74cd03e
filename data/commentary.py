"""A lead's commentary on each portfolio for the board pack: one row per portfolio and as-of date of the data it
comments on, in English and Welsh (either may be empty, not both), saved with optimistic locking and audited.

Everyone who may read a portfolio reads its commentary; leads of the portfolio (and administrators, as for actions)
write it. Every save names the version it read (0 for commentary not yet written); a save against an older version is
refused with StaleEdit. The change and its audit row (before and after) are one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from auth.roles import Scope, is_portfolio_id
from data import audit
from data.models import Commentary
from data.records import snapshot
from rules.permissions import can_read, is_admin, leads
from rules.workflow import AccessDenied, StaleEdit, WorkflowError

COMMENTARY = Commentary.__table__
FIELDS = tuple(c.name for c in COMMENTARY.columns)
LANGUAGES = ("en", "cy")
BODY_MAX = 2000  # characters in each language
ENTITY = "commentary"
# Control characters (keeping line breaks) and the invisible bidirectional controls that can disguise text.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def can_edit_commentary(scope: Scope, portfolio: str) -> bool:
    """Leads of the portfolio, and administrators (who may change anything)."""
    return is_admin(scope) or leads(scope, portfolio)


def entity_id(portfolio: str, as_of: dt.date) -> str:
    """The audit log's record reference: PORTFOLIO@YYYY-MM-DD."""
    return f"{portfolio}@{as_of.isoformat()}"


def clean_body(text: str | None, lang: str) -> str:
    """The text as stored: Unicode-normalised, line breaks kept, tabs as spaces, other control characters removed,
    trimmed; refused when longer than BODY_MAX characters."""
    text = unicodedata.normalize("NFC", text or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _CONTROL.sub("", text.replace("\t", " ")).strip()
    if len(text) > BODY_MAX:
        raise WorkflowError(
            "commentary.errors.too_long", language=f"commentary.language.{lang}", length=len(text), maximum=BODY_MAX
        )
    return text


def in_language(row: Mapping[str, Any] | None, lang: str) -> tuple[str, str | None]:
    """The commentary's text in `lang`, else in the other language: (text, None) or (text, the language it is in);
    ("", None) when there is none."""
    if not row:
        return "", None
    own = (row.get(f"body_{lang}") or "").strip()
    if own:
        return own, None
    other = next(x for x in LANGUAGES if x != lang)
    text = (row.get(f"body_{other}") or "").strip()
    return (text, other) if text else ("", None)


def _fetch(conn: Connection, portfolio: str, as_of: dt.date) -> dict[str, Any] | None:
    stmt = select(COMMENTARY).where(COMMENTARY.c.portfolio == portfolio, COMMENTARY.c.as_of == as_of)
    row = conn.execute(stmt).mappings().first()
    return None if row is None else snapshot(row, FIELDS)


def read_commentary(engine: Engine, scope: Scope, as_of: dt.date, portfolios: Iterable[str]) -> dict[str, dict]:
    """The commentary on the data as of `as_of` of each listed portfolio the user may read that has one, by id."""
    wanted = [p for p in dict.fromkeys(portfolios) if can_read(scope, p)]
    if not wanted:
        return {}
    stmt = select(COMMENTARY).where(COMMENTARY.c.as_of == as_of, COMMENTARY.c.portfolio.in_(wanted))
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return {row["portfolio"]: snapshot(row, FIELDS) for row in rows}


def _stale(current: Mapping[str, Any] | None, expected: int, attempted: Mapping[str, Any]) -> StaleEdit:
    """StaleEdit with the commentary's own message: who saved it since, and its version now."""
    current = dict(current or {"version": 0})
    error = StaleEdit(current, expected, attempted)
    error.code = "commentary.errors.stale"
    error.params = {"who": current.get("updated_by") or "–", "version": current["version"]}
    return error


def _require_editor(scope: Scope, portfolio: str) -> None:
    if can_edit_commentary(scope, portfolio):
        return
    if "lead" in scope.roles:
        raise AccessDenied("commentary.errors.not_your_portfolio", portfolio=portfolio)
    raise AccessDenied("commentary.errors.forbidden")


def save_commentary(
    engine: Engine,
    scope: Scope,
    portfolio: str,
    as_of: dt.date,
    body_en: str | None,
    body_cy: str | None,
    expected_version: int,
    *,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Write the portfolio's commentary on the data as of `as_of`, read at `expected_version` (0: none yet); returns
    it as saved (its version one higher). Audited as commentary.save with the row before and after."""
    portfolio = (portfolio or "").strip()
    if not is_portfolio_id(portfolio):
        raise WorkflowError("commentary.errors.bad_portfolio", portfolio=portfolio)
    _require_editor(scope, portfolio)
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise TypeError("as_of must be a date")
    texts = {"body_en": clean_body(body_en, "en"), "body_cy": clean_body(body_cy, "cy")}
    if not any(texts.values()):
        raise WorkflowError("commentary.errors.empty")
    at = now or audit.utcnow()
    values = {**texts, "updated_by": scope.username, "updated_at": at}
    try:
        with audit.writing(engine) as conn:
            current = _fetch(conn, portfolio, as_of)
            if (current["version"] if current else 0) != expected_version:
                raise _stale(current, expected_version, texts)
            if current and all(current[k] == v for k, v in texts.items()):
                raise WorkflowError("commentary.errors.nothing_to_save")
            if current is None:
                saved = {"portfolio": portfolio, "as_of": as_of, **values, "version": 1}
                conn.execute(insert(COMMENTARY).values(**saved))
            else:
                key = (COMMENTARY.c.portfolio == portfolio, COMMENTARY.c.as_of == as_of)
                result = conn.execute(
                    update(COMMENTARY)
                    .where(*key, COMMENTARY.c.version == expected_version)
                    .values(**values, version=expected_version + 1)
                )
                if result.rowcount != 1:
                    raise _stale(_fetch(conn, portfolio, as_of), expected_version, texts)
                saved = {**current, **values, "version": expected_version + 1}
            saved = snapshot(saved, FIELDS)
            audit.write(
                conn, actor=scope.username, event="commentary.save", entity_type=ENTITY,
                entity_id=entity_id(portfolio, as_of), before=current, after=saved, portfolio=portfolio, at=at,
            )  # fmt: skip
    except IntegrityError:
        # Someone else wrote the first commentary for this portfolio and date in the meantime (PostgreSQL).
        with engine.connect() as conn:
            raise _stale(_fetch(conn, portfolio, as_of), expected_version, texts) from None
    return saved
