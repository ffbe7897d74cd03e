"""Roles, page permissions and portfolio scopes: pure data and rules, no Streamlit and no database."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

ROLES: tuple[str, ...] = ("lead", "board", "inspector", "analyst", "admin")

# Every role except `lead` reads the whole framework; a lead reads only the portfolios assigned to them.
ALL_PORTFOLIO_ROLES: frozenset[str] = frozenset({"board", "inspector", "analyst", "admin"})

_READERS = frozenset({"lead", "board", "inspector"})

# Page key -> roles allowed to open it, in navigation order. Adding a page is one line here plus one in
# ui/navigation.py's registry.
PAGES: dict[str, frozenset[str]] = {
    "home": frozenset(ROLES),
    "scorecard": _READERS,
    "victims_code": _READERS,
    "satisfaction": _READERS,
    "witness_care": _READERS,
    "connect_gwent": _READERS,
    "survivor_voice": _READERS | {"admin"},
    "inspection": _READERS | {"admin"},
    "public_outcomes": _READERS,
    "meeting": frozenset({"board"}),
    "audit": frozenset({"inspector", "admin"}),
    "exports": frozenset({"lead", "board", "inspector"}),  # what each may export: reports.exporting
    "data_management": frozenset({"analyst", "admin"}),
    "targets": frozenset({"analyst", "admin"}),
    "admin": frozenset({"admin"}),
}

_PORTFOLIO_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def unknown_roles(roles: Iterable[str]) -> list[str]:
    """The given roles that are not one of ROLES, sorted (empty when all are known)."""
    return sorted(set(roles) - set(ROLES))


def is_portfolio_id(value: str) -> bool:
    """True when the value has the shape of a portfolio id (lower-case slug, at most 40 characters)."""
    return bool(_PORTFOLIO_ID.match(value))


def allowed_pages(roles: Iterable[str]) -> list[str]:
    """Page keys any of these roles may open, in navigation order (several roles give the union)."""
    held = set(roles)
    return [page for page, allowed in PAGES.items() if held & allowed]


def can_open(roles: Iterable[str], page: str) -> bool:
    """True when any of these roles may open the page; unknown pages are closed to everyone."""
    return bool(set(roles) & PAGES.get(page, frozenset()))


@dataclass(frozen=True)
class Scope:
    """Who is asking and what they may see; hashable, so it can be an argument of a cached query."""

    username: str
    roles: frozenset[str]
    portfolios: frozenset[str]
    all_portfolios: bool

    @classmethod
    def for_user(cls, username: str, roles: Iterable[str], portfolios: Iterable[str] = ()) -> Scope:
        """Build the scope of a user from the roles and portfolio assignments they hold."""
        held = frozenset(roles)
        return cls(
            username=username,
            roles=held,
            portfolios=frozenset(portfolios),
            all_portfolios=bool(held & ALL_PORTFOLIO_ROLES),
        )

    def can_see_cases(self, portfolio_id: str) -> bool:
        """True when this user may read the portfolio's data, down to its case list."""
        return self.all_portfolios or portfolio_id in self.portfolios

    def visible_portfolios(self, portfolio_ids: Iterable[str]) -> list[str]:
        """The portfolios of the given list this user may read, in the given order."""
        return [p for p in portfolio_ids if self.can_see_cases(p)]

    def pages(self) -> list[str]:
        """Page keys this user may open, in navigation order."""
        return allowed_pages(self.roles)

    def can_open(self, page: str) -> bool:
        """True when this user may open the page."""
        return can_open(self.roles, page)
