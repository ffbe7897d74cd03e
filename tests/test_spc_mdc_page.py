"""The measure detail's SPC decisions through AppTest (issue 17 item 1): the suggested recalculation at the planted
R6 drop, accepted by the domestic-abuse lead with a reason; the reading, chart table and audit trail follow."""

from __future__ import annotations

from sqlalchemy import select

from data import queries, spc_decisions
from data.models import AuditLog
from tests.apptest_support import sign_in

METRIC = "VCOP_R6_SUSPECT_UPDATE"
REASON = "Public Protection Unit took over suspect updates <b>x</b>"


def _texts(at, element: str) -> str:
    return "\n".join(str(e.value) for e in getattr(at, element))


def test_a_lead_accepts_the_suggested_rebase_and_annotates_a_month(seeded_copy):
    engine = seeded_copy
    at = sign_in("lead.da")
    at.selectbox(key="scorecard_measure").select(METRIC).run()
    assert not at.exception
    # The reading: icons drawn as SVG with their words beside them.
    assert "**Variation**: ▼ Special cause concern (low)" in _texts(at, "markdown")
    assert len(at.get("image")) >= 2
    # The planted drop in R6 updates (from April 2026) gives a suggestion there, never applied silently.
    assert any("starts in Apr 2026" in w.value for w in at.warning)
    assert spc_decisions.rebases_frame(engine).empty
    key = f"vsd_spc_accept_vawg_da_{METRIC}_2026-04-01"
    at.text_input(key=f"{key}_r").input(REASON)
    at.button(key=f"FormSubmitter:{key}-Recalculate from Apr 2026").click().run()
    assert not at.exception
    assert any("was recorded" in s.value for s in at.success)
    stored = spc_decisions.rebases_frame(engine)
    assert stored[["metric_id", "portfolio_id", "suggested", "created_by"]].values.tolist() == [
        [METRIC, "vawg_da", True, "lead.da"]
    ]
    # Readings now come from the new segment alone (seven months, a level process at its new level); the chart
    # shows the break and its reason.
    markdown = _texts(at, "markdown")
    assert "**Variation**: ● Common cause variation" in markdown
    chart = next(c for c in at.get("vega_lite_chart") if "Process change from Apr 2026" in str(c.proto.spec))
    assert "Limits and readings from Apr 2026 on" in str(chart.proto.spec)
    assert not any("starts in Apr 2026" in w.value for w in at.warning)
    months = next(df.value for df in at.dataframe if "Month" in df.value.columns)
    notes = dict(zip(months["Month"], months["Process change or note"], strict=True))
    assert notes["2026-04"] == f"Process change: {REASON}" and notes["2026-03"] == ""
    assert REASON in markdown.replace("\\", "")  # listed as text (escaped), never as HTML

    note_key = f"vsd_spc_note_vawg_da_{METRIC}"
    at.selectbox(key=f"{note_key}_m").select("2025-03-01")
    at.text_input(key=f"{note_key}_n").input("new case system live")
    at.button(key=f"FormSubmitter:{note_key}-Add the note").click().run()
    assert not at.exception
    months = next(df.value for df in at.dataframe if "Month" in df.value.columns)
    assert dict(zip(months["Month"], months["Process change or note"], strict=True))["2025-03"] == (
        "new case system live"
    )
    with engine.connect() as conn:
        events = conn.execute(select(AuditLog.event, AuditLog.actor).where(AuditLog.entity_type.like("spc_%")))
        assert sorted(tuple(r) for r in events) == [("spc.annotate", "lead.da"), ("spc.rebase_accept", "lead.da")]
    assert queries.latest_as_of(engine) is not None
