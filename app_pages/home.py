"""Landing page after sign-in: who you are, what you may see, and links to your pages."""

import streamlit as st

from auth import gate
from config.i18n import t
from ui import navigation

scope = gate.require_page("home")
st.title(t("home.welcome", name=gate.display_name()))
st.write(t("home.roles", roles=", ".join(t(f"roles.{role}") for role in sorted(scope.roles))))
if scope.all_portfolios:
    st.write(t("home.all_portfolios"))
else:
    st.write(t("home.portfolios", portfolios=", ".join(sorted(scope.portfolios))))

st.subheader(t("home.pages"))
links = [entry for entry in navigation.entries_for(scope.roles) if entry.key != "home"]
for entry in links:
    st.page_link(navigation.page(entry), label=t(entry.title_key), icon=entry.icon)
if not links:
    st.info(t("home.no_pages"))
