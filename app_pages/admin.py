"""Administration: list users; add users; assign roles and portfolios; set passwords; disable, enable and unlock.

Every change goes through auth.users, which checks it and writes the audit log with the acting administrator.
Changes run in button callbacks, so the page drawn afterwards already shows the new state and the message.
"""

import datetime as dt
import logging

import pandas as pd
import streamlit as st

from auth import gate, users
from auth.roles import ROLES
from auth.sessions import utcnow
from config.i18n import catalogue, current_language, t
from config.safe_text import plain
from ui.db import get_engine
from ui.portfolios import catalogue_portfolios, portfolio_choices
from ui.tables import table_alternative

log = logging.getLogger(__name__)

FLASH_KEY = "vsd_admin_flash"
USER_KEY = "vsd_admin_user"
ADD_KEYS = {
    "username": "vsd_admin_new_username",
    "name": "vsd_admin_new_name",
    "password": "vsd_admin_new_password",
    "roles": "vsd_admin_new_roles",
    "portfolios": "vsd_admin_new_portfolios",
}
LOCAL_TZ = "Europe/London"


def error_text(exc: users.UserError) -> str:
    """A UserError in the current language: its code's message when translated, else the module's own text."""
    key = f"admin.errors.{exc.code}"
    if key in catalogue(current_language()):
        try:
            return t(key, **exc.params)
        except (KeyError, IndexError):  # a message expecting a parameter the error did not carry
            log.warning("translation %s does not fit the parameters %s", key, exc.params)
    return str(exc)


def flash(level: str, text: str) -> None:
    """Leave a message for the run that follows the callback."""
    st.session_state[FLASH_KEY] = (level, text)


def still_admin(actor: str) -> bool:
    """True when the acting user is still an enabled administrator in this very session.

    Callbacks run before app.py's sign-in gate, so an administrator disabled, demoted or signed out elsewhere since
    the page was drawn must be refused here, not only on the next page.
    """
    user = users.load_user(get_engine(), actor)
    return (
        user is not None
        and users.may_sign_in(user)
        and "admin" in user.roles
        and user.session_version == st.session_state.get(gate.VERSION_KEY)
    )


def attempt(change, success: str, actor: str) -> bool:
    """Run one change; flash success, or the translated UserError; any other fault is logged and reported plainly."""
    try:
        if not still_admin(actor):
            flash("error", t("errors.forbidden"))
            return False
        change()
    except users.UserError as exc:
        flash("error", error_text(exc))
        return False
    except Exception:
        log.exception("user administration failed")
        flash("error", t("admin.fault"))
        return False
    flash("success", success)
    return True


def add_user(actor: str) -> None:
    """Callback of the add form: create the user, then empty the form (the password is never kept)."""
    state = st.session_state
    username = users.normalise_username(state.get(ADD_KEYS["username"]) or "")
    ok = attempt(
        lambda: users.create_user(
            get_engine(),
            username,
            state.get(ADD_KEYS["name"]) or "",
            state.get(ADD_KEYS["password"]) or "",
            state.get(ADD_KEYS["roles"]) or [],
            state.get(ADD_KEYS["portfolios"]) or [],
            actor=actor,
        ),
        t("admin.added", username=plain(username)),
        actor,
    )
    state[ADD_KEYS["password"]] = ""
    if ok:
        state[ADD_KEYS["username"]] = state[ADD_KEYS["name"]] = ""
        state[ADD_KEYS["roles"]] = state[ADD_KEYS["portfolios"]] = []


def assign(username: str, actor: str) -> None:
    """Callback of the assignment form: replace the user's roles and portfolios."""
    roles = st.session_state.get(f"vsd_admin_roles_{username}") or []
    portfolios = st.session_state.get(f"vsd_admin_portfolios_{username}") or []
    if username == actor and "admin" not in roles:
        flash("error", t("admin.self_demote"))
        return
    attempt(
        lambda: users.assign(get_engine(), username, roles, portfolios, actor=actor, replace=True),
        t("admin.assigned", username=plain(username)),
        actor,
    )


def set_password(username: str, actor: str) -> None:
    """Callback of the password form: set the new password and end the user's sessions."""
    key = f"vsd_admin_password_{username}"
    password = st.session_state.get(key) or ""
    st.session_state[key] = ""
    attempt(
        lambda: users.set_password(get_engine(), username, password, actor=actor),
        t("admin.password_set", username=plain(username)),
        actor,
    )


def disable(username: str, actor: str) -> None:
    """Callback: stop the user signing in (never yourself: that would lock the last administrator out)."""
    if username == actor:
        flash("error", t("admin.self_disable"))
        return
    done = t("admin.disabled", username=plain(username))
    attempt(lambda: users.disable(get_engine(), username, actor=actor), done, actor)


def enable(username: str, actor: str) -> None:
    """Callback: let a disabled user sign in again."""
    done = t("admin.enabled", username=plain(username))
    attempt(lambda: users.enable(get_engine(), username, actor=actor), done, actor)


def unlock(username: str, actor: str) -> None:
    """Callback: clear the failed sign-in count and lock."""
    done = t("admin.unlocked", username=plain(username))
    attempt(lambda: users.unlock(get_engine(), username, actor=actor), done, actor)


def local_time(moment: dt.datetime | None) -> str:
    """A stored naive-UTC time as local 'YYYY-MM-DD HH:MM'."""
    if moment is None:
        return ""
    return pd.Timestamp(moment).tz_localize("UTC").tz_convert(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def yes_no(value: bool) -> str:
    """Yes or No in the current language."""
    return t("admin.yes_text") if value else t("admin.no_text")


def users_frame(records: list[users.UserRecord], now: dt.datetime) -> pd.DataFrame:
    """The users table with translated headings and values (never a password hash)."""
    return pd.DataFrame(
        {
            t("admin.columns.username"): [u.username for u in records],
            t("admin.columns.name"): [u.display_name for u in records],
            t("admin.columns.roles"): [", ".join(t(f"roles.{r}") for r in sorted(u.roles)) for u in records],
            t("admin.columns.portfolios"): [", ".join(sorted(u.portfolios)) for u in records],
            t("admin.columns.disabled"): [yes_no(u.disabled) for u in records],
            t("admin.columns.locked_until"): [local_time(u.locked_until) if u.locked(now) else "" for u in records],
            t("admin.columns.failed_logins"): [u.failed_logins for u in records],
            t("admin.columns.demo"): [yes_no(u.is_demo) for u in records],
        }
    )


def portfolio_label(choices: dict[str, str]):
    """The multiselect label of a portfolio id: its name and id."""
    return lambda pid: pid if choices.get(pid, pid) == pid else f"{choices[pid]} ({pid})"


def role_labels(lang: str):
    """The multiselect label of a role: its name in the page's language (bound now, as the labels are matched later)."""
    return lambda role: t(f"roles.{role}", lang)


def add_form(actor: str, choices: dict[str, str], free_entry: bool) -> None:
    """The form that creates a user."""
    st.header(t("admin.add_title"))
    with st.form("vsd_admin_add"):
        st.text_input(t("admin.columns.username"), key=ADD_KEYS["username"], help=t("admin.username_help"))
        st.text_input(t("admin.columns.name"), key=ADD_KEYS["name"])
        st.text_input(
            t("admin.password"),
            key=ADD_KEYS["password"],
            type="password",
            autocomplete="new-password",
            help=t("admin.password_help"),
        )
        st.multiselect(
            t("admin.columns.roles"), ROLES, key=ADD_KEYS["roles"], format_func=role_labels(current_language())
        )
        st.multiselect(
            t("admin.columns.portfolios"),
            list(choices),
            key=ADD_KEYS["portfolios"],
            format_func=portfolio_label(choices),
            accept_new_options=free_entry,
            help=t("admin.portfolios_help"),
        )
        st.form_submit_button(
            t("admin.add"), key="vsd_admin_add_submit", type="primary", on_click=add_user, args=(actor,)
        )


def manage_user(user: users.UserRecord, actor: str, choices: dict[str, str], free_entry: bool, now) -> None:
    """Roles and portfolios, password, disable/enable and unlock for one user."""
    name = user.username
    with st.form(f"vsd_admin_assign_{name}"):
        st.markdown(f"**{t('admin.assign_title')}**")
        st.multiselect(
            t("admin.columns.roles"),
            ROLES,
            default=sorted(user.roles),
            key=f"vsd_admin_roles_{name}",
            format_func=role_labels(current_language()),
        )
        st.multiselect(
            t("admin.columns.portfolios"),
            list(choices),
            default=sorted(user.portfolios),
            key=f"vsd_admin_portfolios_{name}",
            format_func=portfolio_label(choices),
            accept_new_options=free_entry,
            help=t("admin.portfolios_help"),
        )
        st.form_submit_button(
            t("admin.assign"), key=f"vsd_admin_assign_submit_{name}", on_click=assign, args=(name, actor)
        )
    with st.form(f"vsd_admin_password_form_{name}"):
        st.markdown(f"**{t('admin.password_title')}**")
        st.text_input(
            t("admin.password"),
            key=f"vsd_admin_password_{name}",
            type="password",
            autocomplete="new-password",
            help=t("admin.password_help"),
        )
        st.form_submit_button(
            t("admin.set_password"), key=f"vsd_admin_set_password_{name}", on_click=set_password, args=(name, actor)
        )
    st.markdown(f"**{t('admin.access_title')}**")
    columns = st.columns(2)
    if user.disabled:
        columns[0].button(t("admin.enable"), key="vsd_admin_enable", on_click=enable, args=(name, actor))
    else:
        columns[0].button(t("admin.disable"), key="vsd_admin_disable", on_click=disable, args=(name, actor))
    locked = user.locked(now) or user.failed_logins > 0
    columns[1].button(
        t("admin.unlock"), key="vsd_admin_unlock", on_click=unlock, args=(name, actor), disabled=not locked
    )
    if user.locked(now):
        st.caption(t("admin.locked_note", time=local_time(user.locked_until), count=user.failed_logins))


scope = gate.require_page("admin")
actor = scope.username
st.title(t("pages.admin"))
st.caption(t("admin.intro"))

level, text = st.session_state.pop(FLASH_KEY, (None, None))
if text:
    getattr(st, level)(text)

try:
    now = utcnow()
    records = users.list_users(get_engine())
except Exception:
    log.exception("could not read the users")
    st.error(t("admin.fault"))
    st.stop()

assigned = {p for u in records for p in u.portfolios}
lang = current_language()
choices = portfolio_choices(assigned, lang)
free_entry = catalogue_portfolios(lang) is None  # without a catalogue, portfolio ids can be typed in
st.header(t("admin.users_title"))  # h2 under the page title (axe heading-order)
table_alternative(users_frame(records, now), t("admin.users_caption", count=len(records)))
if free_entry:
    st.caption(t("admin.no_catalogue"))

add_form(actor, choices, free_entry)

st.header(t("admin.manage_title"))
by_name = {u.username: u for u in records}
chosen = st.selectbox(
    t("admin.choose_user"),
    list(by_name),
    key=USER_KEY,
    format_func=lambda name: f"{name} — {by_name[name].display_name}",
)
if chosen in by_name:
    manage_user(by_name[chosen], actor, choices, free_entry, now)
