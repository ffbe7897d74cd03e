"""Rate axes run from 0 to 100%: SPC charts of rates and the rates-with-intervals bars; counts keep their own scale."""

from __future__ import annotations

from charts import rates, spc
from tests.test_charts import rate_frame, xmr_frame


def y_scales(spec: dict) -> list[dict]:
    return [item["encoding"]["y"].get("scale", {}) for item in spec["layer"] if "y" in item.get("encoding", {})]


def test_an_spc_chart_of_a_rate_runs_from_0_to_100_percent():
    frame = xmr_frame()
    frame[["upl", "nupl"]] = 1.15  # limits past 100% are clamped to the edge, never stretch the axis
    scales = y_scales(spc.spc_chart(frame, title="Rate", y_format=".0%").to_dict())
    assert scales and all(s["domain"] == [0.0, 1.0] and s["clamp"] and not s["nice"] for s in scales)


def test_an_spc_chart_of_a_count_keeps_its_own_scale():
    frame = xmr_frame()
    numbers = frame.select_dtypes("number").columns
    frame[numbers] = frame[numbers] * 100
    scales = y_scales(spc.spc_chart(frame, title="Count", y_format=",.0f").to_dict())
    assert scales and all("domain" not in s for s in scales)


def test_rates_with_intervals_run_from_0_to_100_percent():
    spec = rates.rates_with_intervals(rate_frame(), title="Rates", suppressed_label="fewer than 10").to_dict()
    domains = [
        item["encoding"]["x"]["scale"]["domain"] for item in spec["layer"] if "scale" in item["encoding"].get("x", {})
    ]
    assert domains and all(d == [0.0, 1.0] for d in domains)
