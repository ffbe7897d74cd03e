"""Sign-in page: the form, the outcome of the last attempt, and in demo mode the demo accounts to try."""

import streamlit as st

from auth import gate
from config.i18n import t
from ui import results_cache
from ui.names import portfolio_name


def portfolio_label(portfolio_id: str) -> str:
    """A portfolio's name in the reader's language (an id the catalogue no longer holds is shown as it is)."""
    known = {p.id for p in results_cache.catalogue().portfolios}
    return portfolio_name(portfolio_id) if portfolio_id in known else portfolio_id


st.title(t("app.title"))
st.write(t("auth.intro"))
gate.show_flash()
gate.sign_in_form()

accounts = gate.demo_accounts_listing()
if accounts:
    st.header(t("auth.demo.title"))
    st.write(t("auth.demo.intro"))
    st.table(
        [
            {
                t("auth.demo.username"): username,
                t("auth.demo.password"): password,
                t("auth.demo.role"): ", ".join(t(f"roles.{role}") for role in roles),
                # Portfolios by name: their ids are internal (#17).
                t("auth.demo.portfolios"): ", ".join(map(portfolio_label, portfolios)) or t("auth.all_portfolios"),
            }
            for username, password, roles, portfolios in accounts
        ]
    )
