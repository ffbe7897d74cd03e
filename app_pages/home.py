"""Landing page after sign-in: who you are, what you may see, and links to your pages."""

import streamlit as st

from auth import gate
from config.i18n import t
from config.safe_text import plain
from ui import navigation, results_cache
from ui.names import portfolio_name

scope = gate.require_page("home")
st.title(t("home.welcome", name=plain(gate.display_name())))
st.write(t("home.roles", roles=", ".join(t(f"roles.{role}") for role in sorted(scope.roles))))
if scope.all_portfolios:
    st.write(t("home.all_portfolios"))
else:
    # In the catalogue's order and the reader's language; an id the catalogue no longer holds is shown as it is.
    known = [p.id for p in results_cache.catalogue().portfolios]
    ordered = [p for p in known if p in scope.portfolios] + sorted(set(scope.portfolios) - set(known))
    st.write(t("home.portfolios", portfolios=", ".join(portfolio_name(p) if p in known else plain(p) for p in ordered)))

st.subheader(t("home.pages"))
links = [entry for entry in navigation.entries_for(scope.roles) if entry.key != "home"]
for entry in links:
    st.page_link(navigation.page(entry), label=t(entry.title_key), icon=entry.icon)
if not links:
    st.info(t("home.no_pages"))
