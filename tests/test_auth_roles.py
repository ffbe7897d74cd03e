"""Roles, page permissions and portfolio scopes (pure), and the page registry built on them."""

from __future__ import annotations

import dataclasses

import pytest

from auth.roles import PAGES, ROLES, Scope, allowed_pages, can_open, is_portfolio_id, unknown_roles
from ui.navigation import LANDING, REGISTRY, SIGN_IN, entries_for, landing_key

READ = [
    "scorecard",
    "victims_code",
    "satisfaction",
    "witness_care",
    "connect_gwent",
    "survivor_voice",
    "inspection",
    "public_outcomes",
]


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (["lead"], ["home", *READ, "exports"]),
        (["board"], ["home", *READ, "meeting", "exports"]),
        (["inspector"], ["home", *READ, "audit", "exports"]),
        (["analyst"], ["home", "data_management", "targets"]),
        (
            ["admin"],
            ["home", "survivor_voice", "inspection", "audit", "data_management", "targets", "admin"],
        ),  # edits anywhere
        (["lead", "analyst"], ["home", *READ, "exports", "data_management", "targets"]),
        (
            ["board", "inspector", "admin"],
            ["home", *READ, "meeting", "audit", "exports", "data_management", "targets", "admin"],
        ),
        ([], []),
        (["superuser"], []),
    ],
)
def test_allowed_pages_per_role(roles, expected):
    assert allowed_pages(roles) == expected
    assert Scope.for_user("u", roles, ["vawg_da"]).pages() == expected


@pytest.mark.parametrize(
    ("roles", "page", "allowed"),
    [
        (["lead"], "admin", False),
        (["lead"], "data_management", False),
        (["lead"], "meeting", False),
        (["board"], "meeting", True),
        (["board"], "audit", False),
        (["inspector"], "audit", True),
        (["analyst"], "scorecard", False),
        (["admin"], "admin", True),
        (["admin"], "no_such_page", False),
    ],
)
def test_can_open(roles, page, allowed):
    assert can_open(roles, page) is allowed


@pytest.mark.parametrize(
    ("roles", "portfolios", "portfolio", "visible"),
    [
        (["lead"], ["vawg_da"], "vawg_da", True),
        (["lead"], ["vawg_da"], "rasso", False),
        (["lead"], ["witness_care", "special_measures"], "special_measures", True),
        (["lead"], ["witness_care", "special_measures"], "vawg_da", False),
        (["board"], [], "rasso", True),
        (["inspector"], [], "vawg_da", True),
        (["analyst"], [], "hate_crime", True),
        (["admin"], [], "inspection", True),
        (["lead", "board"], ["vawg_da"], "rasso", True),
        ([], [], "vawg_da", False),
    ],
)
def test_can_see_cases(roles, portfolios, portfolio, visible):
    scope = Scope.for_user("someone", roles, portfolios)
    assert scope.can_see_cases(portfolio) is visible
    assert scope.all_portfolios is bool(set(roles) & {"board", "inspector", "analyst", "admin"})


def test_visible_portfolios_keeps_order_and_filters():
    lead = Scope.for_user("lead.wcu", ["lead"], ["witness_care", "special_measures"])
    everything = ["vcop", "vawg_da", "witness_care", "special_measures", "rasso"]
    assert lead.visible_portfolios(everything) == ["witness_care", "special_measures"]
    assert Scope.for_user("b", ["board"]).visible_portfolios(everything) == everything


def test_scope_is_frozen_and_hashable():
    a = Scope.for_user("x", ["lead"], ["vawg_da"])
    b = Scope.for_user("x", ("lead",), {"vawg_da"})
    assert a == b and hash(a) == hash(b)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.all_portfolios = True  # type: ignore[misc]


def test_role_and_portfolio_validation():
    assert unknown_roles(["lead", "root", "admin", "guest"]) == ["guest", "root"]
    assert unknown_roles(ROLES) == []
    assert is_portfolio_id("vawg_da") and is_portfolio_id("witness_care")
    assert not is_portfolio_id("VAWG") and not is_portfolio_id("1abc") and not is_portfolio_id("a b")


def test_registry_matches_page_permissions():
    keys = [entry.key for entry in REGISTRY]
    assert sorted(keys) == sorted(PAGES)
    assert len(set(keys)) == len(keys)
    assert SIGN_IN.key not in PAGES  # the sign-in page is for signed-out visitors only
    for entry in (*REGISTRY, SIGN_IN):
        assert entry.path == f"app_pages/{entry.key}.py"


@pytest.mark.parametrize("role", ROLES)
def test_navigation_follows_roles_when_every_page_exists(role):
    entries = entries_for([role], exists=lambda entry: True)
    assert [e.key for e in entries] == allowed_pages([role])


@pytest.mark.parametrize(
    ("present", "roles", "expected_keys", "landing"),
    [
        ({"home"}, ["lead"], ["home"], "home"),
        ({"home", "scorecard", "admin"}, ["lead"], ["home", "scorecard"], "scorecard"),
        ({"home", "scorecard", "admin"}, ["admin"], ["home", "admin"], "home"),
        ({"scorecard", "admin"}, ["admin"], ["admin"], "admin"),
        (set(), ["board"], [], None),
    ],
)
def test_navigation_only_offers_existing_files(present, roles, expected_keys, landing):
    entries = entries_for(roles, exists=lambda entry: entry.key in present)
    assert [e.key for e in entries] == expected_keys
    assert landing_key(entries) == landing
    assert set(LANDING) <= set(PAGES)
