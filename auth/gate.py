"""The one Streamlit-aware sign-in gate: settings, password and cookie sign-in, lockout, sign-out, the live scope.

streamlit-authenticator 0.4.2 checks the bcrypt hash (credentials pre-hashed, auto_hash=False), keeps its
session keys and writes, reads and deletes the signed cookie. Around it, the gate adds what the library lacks
when credentials come from a database: failed sign-ins counted and locks enforced in the database, the 72-byte
bcrypt limit explained, disabled and (in production) demo users refused, and cookies that stop counting when
the user signs out or changes password (auth/sessions.py). Sign-in and sign-out requests are handled here,
before st.navigation is built, so the navigation of the same run already matches the new state.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import secrets

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError

from auth import passwords
from auth.demo import demo_accounts, refuse_demo_users
from auth.engine import get_engine
from auth.language import LANG_KEY, language_was_chosen, use_language
from auth.roles import Scope
from auth.sessions import cookie_is_current, utcnow
from auth.settings import AuthSettings, SettingsError, load_settings
from auth.throttle import ADDRESS_LIMIT, SESSION_LIMIT, AttemptLimiter, client_address
from auth.users import (
    LOCK_MINUTES,
    MAX_FAILED_LOGINS,
    UserError,
    UserRecord,
    attempt_sign_in,
    bump_session_version,
    credentials,
    load_user,
    may_sign_in,
    normalise_username,
    sessions_revoked_at,
    set_language,
)
from config.i18n import t
from config.safe_text import plain

log = logging.getLogger(__name__)

USERNAME_KEY = "vsd_signin_username"
PASSWORD_KEY = "vsd_signin_password"
SUBMIT_KEY = "vsd_signin_submit"
SIGN_OUT_KEY = "vsd_sign_out"
VERSION_KEY = "vsd_session_version"
SCOPE_KEY = "vsd_scope"
FLASH_KEY = "vsd_flash"
CLIENT_KEY = "vsd_signin_client"
# Per-client limits on sign-in attempts, shared by every session of this server process (auth/throttle.py says why).
SESSION_ATTEMPTS = AttemptLimiter(SESSION_LIMIT)
# Per address only refused attempts count: a whole office behind one NAT address signing in at the start of a board
# meeting must not be turned away, while a client spraying guesses across accounts is.
ADDRESS_FAILURES = AttemptLimiter(ADDRESS_LIMIT)


def _auth_secrets() -> dict | None:
    """The [auth] table of st.secrets, or None when Streamlit has no secrets (settings then read the file)."""
    try:
        return dict(st.secrets["auth"]) if "auth" in st.secrets else None
    except Exception:  # no secrets.toml anywhere: Streamlit raises on first access
        return None


def _translated_source(params: dict) -> dict:
    """A refusal's `source` (where the setting was read) is a translation key: say it in the reader's language."""
    return {**params, "source": t(params["source"])} if "source" in params else params


def settings_or_stop() -> AuthSettings:
    """The sign-in settings; an unsafe production configuration stops the app with a clear message."""
    try:
        settings = load_settings(_auth_secrets())
        if settings.production:
            refuse_demo_users(get_engine())  # checked on every run: enabling a demo account later also stops the app
        return settings
    except SettingsError as exc:
        log.error("configuration refused: %s", "; ".join(code for code, _ in exc.problems))
        lines = "\n".join(f"- {t(code, **_translated_source(params))}" for code, params in exc.problems)
        st.error(f"**{t('settings.title')}**\n\n{lines}\n\n{t('settings.hint')}")
        st.stop()
        raise  # st.stop() raises; this line only tells type checkers that nothing follows


def _flash(level: str, key: str, **params) -> None:
    st.session_state[FLASH_KEY] = (level, key, params)


def show_flash() -> None:
    """Show (once) the message left by the last sign-in, sign-out or ended session."""
    level, key, params = st.session_state.pop(FLASH_KEY, (None, None, None))
    if key:
        getattr(st, level)(t(key, **params))


def _adopt(user: UserRecord) -> None:
    """Remember who signed in: the session version to check on every run, and their language."""
    st.session_state[VERSION_KEY] = user.session_version
    if language_was_chosen():
        chosen = st.session_state.get(LANG_KEY)
        if chosen and chosen != user.language:
            set_language(get_engine(), user.username, chosen)
    else:
        use_language(user.language)


def _end_session(authenticator: stauth.Authenticate, flash_key: str) -> None:
    """Clear this session (the library also stops reading the cookie in it) and ask the browser to drop the cookie."""
    if st.session_state.get("authentication_status"):
        authenticator.logout(location="unrendered")
    st.session_state["logout"] = True
    for key in (VERSION_KEY, SCOPE_KEY):
        st.session_state.pop(key, None)
    _flash("info", flash_key)


def _client_keys() -> tuple[str, str | None]:
    """This browser session's id and its client's address (None when unknown), the keys of the per-client limits."""
    # A random id kept in the session state (Streamlit's own session ids are not meant as keys, and tests share one).
    session = st.session_state.setdefault(CLIENT_KEY, secrets.token_hex(8))
    try:
        remote_ip = st.context.ip_address
        address = client_address(remote_ip if isinstance(remote_ip, str) else None, st.context.headers)
    except Exception:  # no request behind this run (e.g. a bare script run in tests): the session limit still holds
        address = None
    return session, address


def _within_client_limits() -> bool:
    """Count this attempt against the session's and the address's limits; False (and a message) once over either."""
    session, address = _client_keys()
    refused = [] if SESSION_ATTEMPTS.allow(f"session:{session}") else [(SESSION_ATTEMPTS, f"session:{session}")]
    if address and ADDRESS_FAILURES.retry_after(f"ip:{address}") > 0:
        refused.append((ADDRESS_FAILURES, f"ip:{address}"))
    if not refused:
        return True
    wait = max(limiter.retry_after(key) for limiter, key in refused)
    log.warning("sign-in attempts over the per-client limit (session %s, address %s)", session, address or "-")
    _flash("error", "auth.too_many_attempts", minutes=max(1, math.ceil(wait / 60)))
    return False


def _password_sign_in(engine, authenticator: stauth.Authenticate, settings: AuthSettings, now: dt.datetime) -> None:
    state = st.session_state
    username = normalise_username(state.get(USERNAME_KEY) or "")
    password = (state.get(PASSWORD_KEY) or "").strip()  # as streamlit-authenticator compares it
    state[PASSWORD_KEY] = ""  # the password must not stay in the session
    if not username or not password:
        _flash("warning", "auth.empty")
        return
    if not _within_client_limits():
        return
    if passwords.too_long(password):
        _flash("error", "auth.password_too_long", length=passwords.byte_length(password), maximum=passwords.MAX_BYTES)
        return
    # One serialised step per username: lock check, password check and failure record (auth.users.attempt_sign_in).
    user = attempt_sign_in(engine, username, password, settings.production, now)
    if user is None:
        # One answer for an unknown, disabled, locked or wrongly typed account: nothing tells usernames apart.
        state["authentication_status"] = None
        _, address = _client_keys()
        if address:
            ADDRESS_FAILURES.allow(f"ip:{address}")  # counts the refusal against the address
        _flash("error", "auth.bad_credentials", attempts=MAX_FAILED_LOGINS, minutes=LOCK_MINUTES)
        return
    try:
        # The password was checked above; the library's token login only fills its session keys for this user.
        authenticator.authentication_controller.login(token={"username": user.username})
    except LoginError:  # created after this run read the credentials: the next attempt will find it
        _end_session(authenticator, "auth.session_ended")
        return
    _adopt(user)
    authenticator.cookie_controller.set_cookie()


def _cookie_sign_in(engine, authenticator: stauth.Authenticate, settings: AuthSettings, now: dt.datetime) -> None:
    try:
        token = authenticator.cookie_controller.get_cookie()
    except jwt.PyJWTError:
        # The library catches only bad signatures and undecodable tokens; any other malformed cookie (e.g. "alg":
        # "none") would raise on every run and lock the browser out. It is not ours: drop it.
        log.warning("ignored a malformed sign-in cookie")
        st.session_state["logout"] = True
        authenticator.cookie_controller.delete_cookie()
        return
    if not token:
        return
    username = normalise_username(str(token.get("username", "")))
    user = load_user(engine, username)
    current = (
        user is not None
        and may_sign_in(user, settings.production)
        and cookie_is_current(token, username, sessions_revoked_at(engine, username), settings.cookie_expiry_hours, now)
    )
    if not current:
        # Signed out, password changed or disabled since the cookie was issued: ignore it from now on.
        st.session_state["logout"] = True
        authenticator.cookie_controller.delete_cookie()
        return
    try:
        authenticator.login(location="unrendered")
    except LoginError:
        st.session_state["logout"] = True
        return
    if st.session_state.get("authentication_status"):
        _adopt(user)


def require_user() -> Scope | None:
    """Run the gate for this script run: the signed-in user's scope, or None (show the sign-in page)."""
    settings = settings_or_stop()
    engine = get_engine()
    state = st.session_state
    signed_in = bool(state.get("authentication_status"))
    # Hashes are only needed while someone is signing in; a signed-in run checks the user row instead.
    creds = credentials(engine, settings.production) if not signed_in else {"usernames": {}}
    authenticator = stauth.Authenticate(
        creds,
        settings.cookie_name,
        settings.cookie_key,
        settings.cookie_expiry_days,
        auto_hash=False,
        login_sleep_time=0,  # the cookie comes from the request headers (st.context.cookies): no need to wait
    )
    now = utcnow()
    if signed_in and state.get(SIGN_OUT_KEY):
        try:
            bump_session_version(engine, state["username"], actor=state["username"], event="user.sign_out", now=now)
        except UserError:
            pass  # the user was removed meanwhile; the session ends all the same
        _end_session(authenticator, "auth.signed_out")
        log.info("sign-out: %s", state.get("username") or "-")
        return None
    if not signed_in and state.get(SUBMIT_KEY):
        _password_sign_in(engine, authenticator, settings, now)
    elif not signed_in:
        _cookie_sign_in(engine, authenticator, settings, now)
    if not state.get("authentication_status"):
        state.pop(SCOPE_KEY, None)
        return None
    user = load_user(engine, state["username"])
    if user is None or not may_sign_in(user, settings.production) or user.session_version != state.get(VERSION_KEY):
        _end_session(authenticator, "auth.session_ended")
        return None
    scope = user.scope()
    state[SCOPE_KEY] = scope
    return scope


def remember_language(lang: str) -> None:
    """Save a signed-in user's language choice as their preference (the switch's on_change)."""
    username = st.session_state.get("username")
    if st.session_state.get("authentication_status") and username:
        try:
            set_language(get_engine(), username, lang)
        except UserError:
            log.warning("could not save the language of %s", username)


def current_scope() -> Scope:
    """The signed-in user's scope for a page; stops the page when nobody is signed in."""
    scope = st.session_state.get(SCOPE_KEY)
    if not isinstance(scope, Scope):
        st.stop()
    return scope


def require_page(page: str) -> Scope:
    """The scope of a user allowed to open this page; anyone else sees a refusal and nothing more."""
    scope = current_scope()
    if not scope.can_open(page):
        st.error(t("errors.forbidden"))
        st.stop()
    return scope


def display_name() -> str:
    """The signed-in user's display name."""
    return st.session_state.get("name") or st.session_state.get("username") or ""


def account_panel() -> None:
    """Sidebar: who is signed in, and the sign-out button."""
    st.sidebar.caption(t("auth.signed_in_as", name=plain(display_name())))  # an administrator chose the name
    st.sidebar.button(t("auth.sign_out"), key=SIGN_OUT_KEY, icon=":material/logout:")


def sign_in_form() -> None:
    """The sign-in form; the gate handles what it submits at the start of the next run."""
    with st.form("vsd_signin"):
        st.header(t("auth.form_title"))  # h2 under the page title (axe heading-order)
        st.text_input(t("auth.username"), key=USERNAME_KEY, autocomplete="username")
        st.text_input(t("auth.password"), key=PASSWORD_KEY, type="password", autocomplete="current-password")
        st.form_submit_button(t("auth.submit"), key=SUBMIT_KEY, type="primary")


def demo_accounts_listing() -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """The demo accounts to publish on the sign-in page: only in demo mode (embedded database, not production)."""
    settings = settings_or_stop()
    if not settings.demo_mode:
        return []
    return demo_accounts(get_engine())
