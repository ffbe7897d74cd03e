"""Demo quality dip samples (STATUTORY.md §3): supervisors' reviews of a sample of delivered entitlements.

Updates (R6_*) meet the standard less often than other deliveries, most often failing on next steps; drawn from
its own random stream after the v1 tables, so no v1 file or figure changes.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from data.demo_util import DNULL, date_col, enum_col, ids
from data.ingest_statutory_enums import DEFAULT_QUALITY_CRITERIA, QUALITY_RESULTS

COLUMNS = ("review_id", "entitlement_id", "review_date", "result", "failed_criteria")
SAMPLE = 0.05  # share of delivered instances dip-sampled
RESULT_P = (0.82, 0.12, 0.06)  # meets, partly_meets, does_not_meet
RESULT_P_UPDATES = (0.70, 0.20, 0.10)
# accurate, timely, empathetic, plain_language, next_steps, right_channel: next steps fail most.
CRITERIA_P = (0.12, 0.15, 0.16, 0.12, 0.35, 0.10)


def _days(column: pa.ChunkedArray) -> np.ndarray:
    """A date32 column as epoch days, DNULL for null."""
    values = column.cast(pa.int32()).to_numpy(zero_copy_only=False)
    return np.where(np.isnan(values.astype(float)), DNULL, np.nan_to_num(values.astype(float))).astype(np.int64)


def generate_quality_reviews(
    rng: np.random.Generator, entitlements: pa.Table, as_of: int, first_id: int, width: int
) -> pa.Table:
    """Reviews of about SAMPLE of the delivered instances, 3 to 30 days after delivery and by the as-of date."""
    delivered = _days(entitlements.column("delivered_date"))
    review = delivered + rng.integers(3, 31, len(delivered))
    pick = np.flatnonzero((delivered != DNULL) & (rng.random(len(delivered)) < SAMPLE) & (review <= as_of))
    codes = np.asarray(entitlements.column("code").to_pylist(), dtype=object)[pick]
    updates = np.char.startswith(codes.astype(str), "R6_")
    u = rng.random(len(pick))
    p = np.where(updates[:, None], RESULT_P_UPDATES, RESULT_P).cumsum(axis=1)
    result = (u[:, None] > p).sum(axis=1).clip(0, 2)
    first = rng.choice(len(CRITERIA_P), size=len(pick), p=np.asarray(CRITERIA_P) / sum(CRITERIA_P))
    second = rng.choice(len(CRITERIA_P), size=len(pick), p=np.asarray(CRITERIA_P) / sum(CRITERIA_P))
    two = (rng.random(len(pick)) < 0.3) & (second != first)
    names = np.asarray(DEFAULT_QUALITY_CRITERIA, dtype=object)
    failed = [
        None if r == 0 else (f"{names[a]};{names[b]}" if t else names[a])
        for r, a, b, t in zip(result, first, second, two, strict=True)
    ]
    entitlement_ids = np.asarray(entitlements.column("entitlement_id").to_pylist(), dtype=object)[pick]
    return pa.table(
        {
            "review_id": ids("QR-", first_id, len(pick), width),
            "entitlement_id": pa.array(entitlement_ids.tolist(), type=pa.string()),
            "review_date": date_col(review[pick]),
            "result": enum_col(result, QUALITY_RESULTS),
            "failed_criteria": pa.array(failed, type=pa.string()),
        }
    )
