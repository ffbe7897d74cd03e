"""Switching language relabels the widgets at once: a select box or multiselect sends its value again in the new
language's labels (Streamlit would otherwise keep showing the old label until a reload)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _app() -> None:
    import streamlit as st

    from config.i18n import t
    from ui.language import language_switch

    language_switch()
    st.selectbox("role", ["board", "lead"], format_func=lambda role: t(f"roles.{role}"), key="picked_role")
    st.multiselect("roles", ["board", "lead"], default=["lead"], format_func=lambda r: t(f"roles.{r}"), key="roles")
    st.write(t("auth.sign_out"))


def test_labels_follow_the_switch_without_a_reload():
    at = AppTest.from_function(_app, default_timeout=30).run()
    box, many = at.selectbox(key="picked_role"), at.multiselect(key="roles")
    assert list(box.proto.options) == ["Board member", "Portfolio lead"]
    at.selectbox(key="picked_role").select("lead").run()
    at.sidebar.radio[0].set_value("cy").run()
    box, many = at.selectbox(key="picked_role"), at.multiselect(key="roles")
    assert at.markdown[-1].value == "Allgofnodi"
    welsh_lead = list(box.proto.options)[1]
    assert welsh_lead != "Portfolio lead"
    # The value is sent again, as the Welsh label: the browser shows it in Welsh at once.
    assert box.proto.set_value and box.proto.raw_value == welsh_lead and box.value == "lead"
    assert many.proto.set_value and list(many.proto.raw_values) == [welsh_lead] and many.value == ["lead"]


def test_a_run_without_a_switch_sends_no_value():
    at = AppTest.from_function(_app, default_timeout=30).run()
    at.selectbox(key="picked_role").select("lead").run()
    at.run()
    assert not at.selectbox(key="picked_role").proto.set_value
