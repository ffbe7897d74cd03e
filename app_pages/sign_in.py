"""Sign-in page: the form, the outcome of the last attempt, and in demo mode the demo accounts to try."""

import streamlit as st

from auth import gate
from config.i18n import t

st.title(t("app.title"))
st.write(t("auth.intro"))
gate.show_flash()
gate.sign_in_form()

accounts = gate.demo_accounts_listing()
if accounts:
    st.subheader(t("auth.demo.title"))
    st.write(t("auth.demo.intro"))
    st.table(
        [
            {
                t("auth.demo.username"): username,
                t("auth.demo.password"): password,
                t("auth.demo.role"): ", ".join(t(f"roles.{role}") for role in roles),
                t("auth.demo.portfolios"): ", ".join(portfolios) or t("auth.all_portfolios"),
            }
            for username, password, roles, portfolios in accounts
        ]
    )
