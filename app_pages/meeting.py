"""Meeting mode: the framework as a governance board's agenda, one portfolio per screen, with frozen figures.

Board members start a meeting (every portfolio's scorecard is frozen into it), move through the agenda with the
buttons or the keys N and P, record decisions as actions that name the meeting, and download the record afterwards.
Links: ?meeting=MT-001&item=3 opens a meeting at an agenda item.
"""

import streamlit as st

from auth import gate
from config.i18n import t
from ui.accountability import show_flash
from ui.meeting import lobby, meeting_view

scope = gate.require_page("meeting")
st.title(t("pages.meeting"))
show_flash()
meeting_id = st.query_params.get("meeting")
if meeting_id:
    meeting_view(scope, meeting_id)
else:
    lobby(scope)
