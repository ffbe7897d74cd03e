"""The demo accounts of the embedded demo database: one per role plus two leads, with published passwords."""

from __future__ import annotations

from sqlalchemy import Engine

from auth.settings import is_production
from auth.users import UserError, create_user, list_users

# (username, display name, password, roles, portfolios). The passwords are printed on the sign-in page in demo
# mode, which is why production refuses these accounts outright.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("lead.da", "Demo lead (domestic abuse)", "vsd-demo-lead.da", ("lead",), ("vawg_da",)),
    ("lead.wcu", "Demo lead (witness care)", "vsd-demo-lead.wcu", ("lead",), ("witness_care", "special_measures")),
    ("board", "Demo board member", "vsd-demo-board", ("board",), ()),
    ("inspector", "Demo inspector", "vsd-demo-inspector", ("inspector",), ()),
    ("analyst", "Demo performance analyst", "vsd-demo-analyst", ("analyst",), ()),
    ("admin", "Demo administrator", "vsd-demo-admin", ("admin",), ()),
)


def ensure_demo_users(engine: Engine) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """Create the missing demo accounts; returns (username, password, roles, portfolios) of every demo account."""
    if is_production():
        raise UserError("user.demo_in_production", "demo users are never created when VSD_ENV=production")
    existing = {user.username: user for user in list_users(engine)}
    for username, name, password, roles, portfolios in DEMO_ACCOUNTS:
        if username not in existing:
            create_user(engine, username, name, password, roles, portfolios, actor="bootstrap", is_demo=True)
    return demo_accounts(engine)


def demo_accounts(engine: Engine) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """The demo accounts present in the database as demo users, for the sign-in page (empty in production)."""
    if is_production():
        return []
    present = {user.username for user in list_users(engine) if user.is_demo and not user.disabled}
    return [(u, pw, roles, ports) for u, _name, pw, roles, ports in DEMO_ACCOUNTS if u in present]
