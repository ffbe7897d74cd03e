"""The page registry and the navigation built from it: only pages the user's roles allow and whose file exists."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from auth.roles import PAGES, Scope, can_open
from config.i18n import t

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageEntry:
    """One page: its key (auth.roles.PAGES, URL path), file under app_pages/, title key, icon and menu section."""

    key: str
    path: str
    icon: str
    section: str

    @property
    def title_key(self) -> str:
        """The translation key of the page title."""
        return f"pages.{self.key}"

    @property
    def file(self) -> Path:
        """The page script."""
        return PROJECT_ROOT / self.path


SIGN_IN = PageEntry("sign_in", "app_pages/sign_in.py", ":material/login:", "start")

# Adding a page: create app_pages/<key>.py, add its key to auth.roles.PAGES and one line here.
REGISTRY: tuple[PageEntry, ...] = (
    PageEntry("home", "app_pages/home.py", ":material/home:", "start"),
    PageEntry("scorecard", "app_pages/scorecard.py", ":material/dashboard:", "views"),
    PageEntry("victims_code", "app_pages/victims_code.py", ":material/gavel:", "views"),
    PageEntry("satisfaction", "app_pages/satisfaction.py", ":material/sentiment_satisfied:", "views"),
    PageEntry("witness_care", "app_pages/witness_care.py", ":material/record_voice_over:", "views"),
    PageEntry("connect_gwent", "app_pages/connect_gwent.py", ":material/diversity_3:", "views"),
    PageEntry("survivor_voice", "app_pages/survivor_voice.py", ":material/campaign:", "views"),
    PageEntry("inspection", "app_pages/inspection.py", ":material/fact_check:", "views"),
    PageEntry("public_outcomes", "app_pages/public_outcomes.py", ":material/public:", "views"),
    PageEntry("meeting", "app_pages/meeting.py", ":material/groups:", "governance"),
    PageEntry("audit", "app_pages/audit.py", ":material/history:", "governance"),
    PageEntry("exports", "app_pages/exports.py", ":material/download:", "governance"),
    PageEntry("data_management", "app_pages/data_management.py", ":material/database:", "manage"),
    PageEntry("targets", "app_pages/targets.py", ":material/flag:", "manage"),
    PageEntry("admin", "app_pages/admin.py", ":material/manage_accounts:", "manage"),
)
SECTIONS = ("start", "views", "governance", "manage")
# The first of these the user may open is where they land after signing in.
LANDING = ("scorecard", "home")


def _exists(entry: PageEntry) -> bool:
    return entry.file.is_file()


def entries_for(roles: Iterable[str], exists: Callable[[PageEntry], bool] = _exists) -> list[PageEntry]:
    """The registry pages these roles may open and that exist, in menu order."""
    held = frozenset(roles)
    return [e for e in REGISTRY if e.key in PAGES and can_open(held, e.key) and exists(e)]


def landing_key(entries: Iterable[PageEntry]) -> str | None:
    """The key of the page to land on among these entries."""
    keys = [e.key for e in entries]
    return next((k for k in LANDING if k in keys), keys[0] if keys else None)


def page(entry: PageEntry, default: bool = False) -> st.Page:
    """The st.Page of an entry, titled in the current language; its URL path is the page key ("/" when default)."""
    url_path = f"{entry.key}-start" if default else entry.key  # the default answers at "/"; its alias at the key
    return st.Page(entry.file, title=t(entry.title_key), icon=entry.icon, url_path=url_path, default=default)


def build(scope: Scope | None) -> list[st.Page] | dict[str, list[st.Page]]:
    """What st.navigation gets: the sign-in page alone when signed out, else the user's pages by section."""
    if scope is None:
        return signed_out_pages()
    entries = entries_for(scope.roles)
    if not entries:
        return signed_out_pages()
    landing = landing_key(entries)
    sections: dict[str, list[st.Page]] = {}
    for section in SECTIONS:
        pages = [page(e, default=e.key == landing) for e in entries if e.section == section]
        if pages:
            sections[t(f"nav.sections.{section}")] = pages
    landing_entry = next(e for e in entries if e.key == landing)
    sections[next(iter(sections))].append(landing_alias(landing_entry))
    return sections


def landing_alias(entry: PageEntry) -> st.Page:
    """The landing page again at its own path, hidden from the menu.

    Streamlit serves the default page only at "/", so without this a shared link such as /scorecard?measure=… would
    report "page not found" for the very page people land on.
    """
    return st.Page(entry.file, title=t(entry.title_key), icon=entry.icon, url_path=entry.key, visibility="hidden")


def signed_out_pages() -> list[st.Page]:
    """The sign-in page, also answering at every page's URL so a deep link survives signing in.

    A fresh browser session runs once before its sign-in cookie is read; without these aliases Streamlit would
    report "page not found" for a shared link and drop its path. Every alias runs the sign-in script and nothing else.
    """
    aliases = [
        st.Page(SIGN_IN.file, title=t(SIGN_IN.title_key), icon=SIGN_IN.icon, url_path=entry.key)
        for entry in REGISTRY
        if _exists(entry)
    ]
    return [page(SIGN_IN, default=True), *aliases]
