"""The demo accounts of the embedded demo database: one per role plus two leads, with published passwords.

auth/users.py creates them (ensure_demo_users); this module only lists them, so it imports nothing from there.
"""

from __future__ import annotations

from sqlalchemy import Engine

from auth.settings import SettingsError, is_production
from data.users import enabled_demo_usernames, list_users

__all__ = ["DEMO_ACCOUNTS", "demo_accounts", "enabled_demo_usernames", "refuse_demo_users"]

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


def demo_accounts(engine: Engine) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """The demo accounts present in the database as demo users, for the sign-in page (empty in production)."""
    if is_production():
        return []
    present = {user.username for user in list_users(engine) if user.is_demo and not user.disabled}
    return [(u, pw, roles, ports) for u, _name, pw, roles, ports in DEMO_ACCOUNTS if u in present]


def refuse_demo_users(engine: Engine) -> None:
    """SettingsError when enabled demo accounts exist: production must not start beside published passwords.

    Disabled demo accounts are tolerated so that an operator can make a bootstrapped database safe with the
    existing `cli.py users disable` command; enabling one again stops the app until it is disabled.
    """
    names = enabled_demo_usernames(engine)
    if names:
        raise SettingsError([("settings.demo_users", {"names": ", ".join(names)})])
