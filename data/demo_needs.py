"""Demo Connect Gwent needs (STATUTORY.md §6): the needs assessed on each referral and whether each improved.

Planted: one category (PLANTED_NEED) improves clearly less often than the others, which tests and the Connect Gwent
page show. Drawn from its own random stream after the v1 tables, so no v1 file or figure changes.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from data.demo_util import bool_col, enum_col
from data.ingest_statutory_enums import DEFAULT_NEEDS

COLUMNS = ("referral_id", "need", "improved")
# How often each need is assessed on a referral (MoJ framework order).
NEED_P = (0.55, 0.18, 0.30, 0.12, 0.10, 0.22, 0.35, 0.25)
PLANTED_NEED = "finance_benefits"
PLANTED_NEED_IMPROVED = 0.42  # the planted category: improved at closure
NEED_IMPROVED = 0.80  # every other category


def generate_referral_needs(rng: np.random.Generator, referrals: pa.Table) -> pa.Table:
    """Needs of the referrals whose needs were assessed; `improved` only on closed referrals that took support (as
    cope_recover_improved is recorded), null while open."""
    assessed = ~np.asarray(referrals.column("needs_assessed_date").is_null().to_numpy(zero_copy_only=False), bool)
    outcome = ~np.asarray(referrals.column("cope_recover_improved").is_null().to_numpy(zero_copy_only=False), bool)
    ids = np.asarray(referrals.column("referral_id").to_pylist(), dtype=object)
    n = len(ids)
    drawn = rng.random((n, len(DEFAULT_NEEDS))) < np.asarray(NEED_P)
    drawn[np.arange(n), rng.integers(0, len(DEFAULT_NEEDS), n)] = True  # an assessment finds at least one need
    drawn &= assessed[:, None]
    row, need = np.nonzero(drawn)  # referral order, then need order: (referral_id, need) unique
    p = np.where(np.asarray(DEFAULT_NEEDS)[need] == PLANTED_NEED, PLANTED_NEED_IMPROVED, NEED_IMPROVED)
    improved = rng.random(len(row)) < p
    return pa.table(
        {
            "referral_id": pa.array(ids[row].tolist(), type=pa.string()),
            "need": enum_col(need, DEFAULT_NEEDS),
            "improved": bool_col(improved, null=~outcome[row]),
        }
    )
