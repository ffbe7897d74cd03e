"""One export service for the command line and the app: who may export what, gather in the exporter's scope, build
the evidence pack or board pack, and write the export with its SHA-256 to the audit log.

Who may export (PRODUCT.md): inspectors take evidence packs away; board members take the board pack; a portfolio lead
takes either, for their own portfolios only (and only their portfolios' cases). Analysts load data and administrators
manage users, so neither exports packs. The command line is an operator's tool and exports the whole framework.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from auth.roles import Scope
from data.audit import record_export
from metrics.catalogue import load_catalogue
from metrics.measures import Prepared
from reports.board_pack import build_board_pack
from reports.chart_images import chart_processes
from reports.evidence_pack import build_evidence_pack
from reports.gather import Progress, gather
from reports.inputs import ReportInputs
from reports.manifest import sha256_hex

KINDS = ("evidence", "board")
LANGUAGES = ("en", "cy")
EXPORT_ROLES: dict[str, frozenset[str]] = {
    "evidence": frozenset({"inspector", "lead"}),
    "board": frozenset({"board", "lead"}),
}
MIME = {"evidence": "application/zip", "board": "application/pdf"}

log = logging.getLogger(__name__)


class ExportRefused(ValueError):
    """The export cannot be made as asked: `code` names the reason (a translation key under exports.refused)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ExportRequest:
    """What to export: the kind, the period, one portfolio (None: every one the exporter may see), the language and
    whether publication suppression applies; `as_of` defaults to that of the latest load."""

    kind: str
    start: dt.date
    end: dt.date
    portfolio: str | None = None
    lang: str = "en"
    publication: bool = False
    as_of: dt.date | None = None


@dataclass(frozen=True)
class ExportResult:
    """A built export: its bytes, a file name and MIME type to offer, its SHA-256, and what the audit log recorded."""

    data: bytes
    file_name: str
    mime: str
    sha256: str
    detail: dict = field(default_factory=dict)


def allowed_kinds(scope: Scope) -> list[str]:
    """The kinds of export this user may make, in KINDS order."""
    return [kind for kind in KINDS if scope.roles & EXPORT_ROLES[kind]]


def exportable_portfolios(scope: Scope) -> list[str]:
    """The portfolios this user may export, in agenda order (a lead's own; everyone else's all)."""
    return scope.visible_portfolios([p.id for p in load_catalogue().portfolios])


def check_request(request: ExportRequest, scope: Scope | None) -> None:
    """Raise ExportRefused unless the request is well formed and (for a user, not the command line) allowed."""
    if request.kind not in KINDS:
        raise ExportRefused("kind", f"the kind of export must be one of {', '.join(KINDS)}")
    if request.lang not in LANGUAGES:
        raise ExportRefused("language", f"the language must be one of {', '.join(LANGUAGES)}")
    if request.start > request.end:
        raise ExportRefused("period", "the period's first day is after its last")
    known = [p.id for p in load_catalogue().portfolios]
    if request.portfolio is not None and request.portfolio not in known:
        raise ExportRefused("portfolio", f"unknown portfolio '{request.portfolio}'")
    if scope is None:
        return
    if request.kind not in allowed_kinds(scope):
        raise ExportRefused("role", f"{scope.username} may not export a {request.kind} pack")
    if request.portfolio is not None and not scope.can_see_cases(request.portfolio):
        raise ExportRefused("scope", f"{scope.username} may not export portfolio '{request.portfolio}'")
    if not exportable_portfolios(scope):
        raise ExportRefused("scope", f"{scope.username} has no portfolio to export")


def expected_charts(request: ExportRequest, scope: Scope | None) -> int:
    """How many SPC charts the export will show at most (each portfolio's first few)."""
    if request.portfolio is not None:
        portfolios = 1
    elif scope is None:
        portfolios = len(load_catalogue().portfolios)
    else:
        portfolios = len(exportable_portfolios(scope))
    return portfolios * ReportInputs.charts_per_portfolio


def export_pack(
    engine: Engine,
    request: ExportRequest,
    *,
    actor: str,
    scope: Scope | None = None,
    file_name: str | None = None,
    prepared: Prepared | None = None,
    progress: Progress | None = None,
    deliver: Callable[[ExportResult], None] | None = None,
) -> ExportResult:
    """Build the export in the scope (None: an operator's whole-framework export) and audit it as `actor`.

    The audit row (event export.evidence or export.board) holds the options, the file name, the SHA-256 of the file
    and, for an evidence pack, of its manifest. ExportRefused when the request is not allowed; ValueError when there
    is nothing to export (no data loaded). `deliver` (the command line's file writer) runs after the build and before
    the audit row: when it raises, nothing is audited, so the audit log never records an export that was not written.
    """
    check_request(request, scope)
    # A large export draws its charts in other processes, started now so that they are ready once the data is
    # gathered; the block ends them however the export ends (reports.chart_images).
    with chart_processes(expected_charts(request, scope)):
        inputs = gather(
            engine, start=request.start, end=request.end, as_of=request.as_of, portfolio=request.portfolio,
            scope=scope, lang=request.lang, publication=request.publication, exported_by=actor, prepared=prepared,
            progress=progress, with_cases=request.kind == "evidence",
        )  # fmt: skip
        if request.kind == "evidence":
            pack = build_evidence_pack(inputs)
        else:
            board = build_board_pack(inputs)
    detail: dict = {
        "kind": request.kind, "from": request.start.isoformat(), "to": request.end.isoformat(),
        "as_of": inputs.as_of.isoformat(), "portfolio": request.portfolio, "portfolios": list(inputs.portfolios),
        "lang": request.lang, "publication": request.publication,
    }  # fmt: skip
    if request.kind == "evidence":
        data, suggested = pack.data, pack.file_name
        detail["manifest_sha256"] = pack.manifest_sha256
        detail["case_files"] = [f["name"] for f in pack.manifest["files"] if f["name"].startswith("cases/")]
    else:
        data = board
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        suggested = f"board_pack_{inputs.as_of.isoformat()}_{stamp}.pdf"
    detail["file"] = file_name or suggested
    detail["sha256"] = sha256_hex(data)
    scoped = list(inputs.portfolios)
    # A lead's export of their one portfolio is filed under it, so the audit trail shows it with that portfolio.
    portfolio = request.portfolio or (scoped[0] if inputs.scope is not None and len(scoped) == 1 else None)
    result = ExportResult(
        data=data, file_name=suggested, mime=MIME[request.kind], sha256=detail["sha256"], detail=detail
    )
    if deliver is not None:
        deliver(result)
    record_export(engine, actor, request.kind, portfolio=portfolio, detail=detail)
    log.info(
        "export.%s by %s: %s, %d bytes, SHA-256 %s", request.kind, actor, detail["file"], len(data), detail["sha256"]
    )
    return result
