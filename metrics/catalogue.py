"""The metric catalogue: config/catalogue.yaml loaded, validated with pydantic, and the VCOP and DUTY measures
generated."""

from __future__ import annotations

import fnmatch
import functools
import os
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "config" / "catalogue.yaml"
# libyaml's safe loader when PyYAML was built with it: the same data as yaml.SafeLoader, about ten times quicker.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Polarity = Literal["up", "down", "neutral", "toward_zero"]
Kind = Literal["rate", "count", "sum", "median", "difference"]
DayUnit = Literal["working", "calendar"]
Tier = Literal["national", "local", "opcc"]
VictimCut = Literal[
    "area", "unit", "offence_group", "enhanced_rights", "age_band", "sex", "ethnicity", "disability",
    "preferred_language",
]  # fmt: skip
# The victim attributes every case-based measure can be cut and filtered by.
CUTS: tuple[str, ...] = VictimCut.__args__
# Cuts by a column of the source's own rows, which only the measures that list them take (EXC_SHARE by reason).
SOURCE_ROW_CUTS: dict[str, tuple[str, ...]] = {"entitlements": ("exception_reason",)}
ROW_CUTS: tuple[str, ...] = tuple(c for cuts in SOURCE_ROW_CUTS.values() for c in cuts)
Cut = Literal[
    "area", "unit", "offence_group", "enhanced_rights", "age_band", "sex", "ethnicity", "disability",
    "preferred_language", "exception_reason",
]  # fmt: skip
# The states an entitlement measure counts (metrics/entitlements.py STATES), by the generated family it belongs to.
VCOP_COUNTS = {"numerator_states": ["timely"], "denominator_states": ["timely", "late", "missed", "justified"]}
DUTY_COUNTS = {
    "numerator_states": ["timely", "justified"],
    "denominator_states": ["timely", "late", "missed", "justified"],
}
SHARE_COUNTS = {"numerator_states": ["justified"], "denominator_states": ["late", "missed", "justified"]}
# Victim columns a portfolio cohort may filter on: flags take true/false, the others a list of values.
COHORT_FLAGS = ("domestic_abuse", "hate_crime", "enhanced_rights")
COHORT_VALUES = ("offence_group", "area", "unit", "age_band", "sex", "ethnicity", "disability", "preferred_language")


class CatalogueError(ValueError):
    """The catalogue file is invalid; the message names every wrong entry and field."""


class _Strict(BaseModel):
    """Unknown keys are mistakes (a misspelt field must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Statistics(_Strict):
    """Statistics settings (METRICS.md §5)."""

    confidence: float = Field(0.95, gt=0, lt=1)
    suppression_threshold: int = Field(10, ge=1)
    publication_threshold: int = Field(5, ge=1)
    amber_margin: float = Field(0.05, ge=0)
    amber_margin_relative: float = Field(0.05, ge=0)
    spc_screen_outliers: bool = False
    rebase_dates: list[Any] = []
    # Measures whose SPC limits are fixed from the first N plotted points of each segment (a fixed baseline).
    spc_fixed_baselines: dict[str, int] = {}
    minority_ethnicities: list[str] = ["mixed", "asian", "black", "other"]

    @field_validator("rebase_dates")
    @classmethod
    def _dates(cls, value: list[Any]) -> list[pd.Timestamp]:
        return [pd.Timestamp(item) for item in value]

    @field_validator("spc_fixed_baselines")
    @classmethod
    def _baselines(cls, value: dict[str, int]) -> dict[str, int]:
        wrong = sorted(metric for metric, points in value.items() if points < 2)
        if wrong:
            raise ValueError(f"a fixed baseline needs at least 2 points: {', '.join(wrong)}")
        return value


class EntitlementDef(_Strict):
    """One entitlement code of the Code with its timescales."""

    code: str = Field(pattern=r"^R\d+_[A-Z0-9_]+$")
    # What the entitlement promises, in words ("Updates on the suspect"): measures are named by it, never by the code
    # (codes are internal: definitions and exports only). Without a name a code reads "an entitlement of the Code".
    name: str = ""
    name_cy: str = ""
    right: int = Field(ge=1)
    owner: str
    standard: int = Field(ge=0)
    enhanced: int = Field(ge=0)
    unit: DayUnit
    basis: str
    basis_cy: str = Field(min_length=1)  # the basis in Welsh: the definition panel and exports show it
    right_name: str = ""

    def label(self, lang: str = "en") -> str:
        """What the entitlement promises, in the language."""
        if lang == "cy":
            return self.name_cy or self.name or "un o hawliau'r Cod"
        return self.name or "an entitlement of the Code"


class MojArea(_Strict):
    """An area of the Ministry of Justice quarterly return: entitlement codes pooled."""

    id: str = Field(pattern=r"^[A-Z0-9_]+$")
    name: str
    name_cy: str = Field(min_length=1)  # every name users see has its Welsh beside it
    codes: list[str] = Field(min_length=1)


class ExceptionReason(_Strict):
    """A good reason not to deliver an entitlement (Victims and Prisoners Act 2024 s5), as recorded on instances."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    name_cy: str = Field(min_length=1)


class DutyDefaults(_Strict):
    """Settings of the generated duty measures (DUTY_OVERALL, DUTY_RIGHT_<n>, DUTY_<CODE>) and of EXC_SHARE."""

    area: str = "vcop"
    polarity: Polarity = "up"
    target: float | None = 0.95
    numerator: str
    numerator_cy: str = Field(min_length=1)
    denominator: str
    denominator_cy: str = Field(min_length=1)
    share_target: float | None = None
    share_numerator: str
    share_numerator_cy: str = Field(min_length=1)
    share_denominator: str
    share_denominator_cy: str = Field(min_length=1)


class SourceDef(_Strict):
    """A source table: its name as definitions show it, whether its rows belong to victims, and the cuts it carries."""

    name: str = Field(min_length=1)
    name_cy: str = Field(min_length=1)
    case_based: bool
    cuts: list[Cut] = []


class VcopDefaults(_Strict):
    """Shared settings of the generated Victims' Code measures."""

    area: str = "vcop"
    polarity: Polarity = "up"
    target: float | None = 0.90
    source: str = "entitlements"
    period_date: str = "trigger_date"
    numerator: str
    numerator_cy: str = Field(min_length=1)
    denominator: str
    denominator_cy: str = Field(min_length=1)


class NamedCode(_Strict):
    """A code with its English and Welsh names: a category of need, a quality criterion (STATUTORY.md §3, §6)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    name_cy: str = Field(min_length=1)


class NeedDefaults(_Strict):
    """Shared settings of the generated CG_NEED_<NEED> measures (Connect Gwent outcomes by need, STATUTORY.md §6)."""

    area: str = "connect_gwent"
    polarity: Polarity = "up"
    target: float | None = 0.75
    source: str = "referral_needs"
    period_date: str = "referral_date"
    numerator: str
    numerator_cy: str = Field(min_length=1)
    denominator: str
    denominator_cy: str = Field(min_length=1)


class Measure(_Strict):
    """One measure: its definition, polarity, default target, source, period date and cuts."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str
    name_cy: str = Field(min_length=1)
    area: str
    kind: Kind
    polarity: Polarity
    target: float | None = None
    source: str
    period_date: str
    numerator: str
    numerator_cy: str = Field(min_length=1)  # every definition text users see has its Welsh beside it
    denominator: str
    denominator_cy: str = Field(min_length=1)
    cuts: list[Cut] | None = None
    params: dict[str, Any] = {}
    codes: list[str] = []  # entitlement codes pooled (VCOP measures)
    case_based: bool = True  # filled from the source

    @property
    def is_rate(self) -> bool:
        """Rates and differences of rates carry confidence intervals and suppression."""
        return self.kind in ("rate", "difference")


class Portfolio(_Strict):
    """A portfolio: who leads it, the victims it covers (cohort) and its scorecard."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    name_cy: str = Field(min_length=1)
    tier: Tier
    lead: str
    cohort: dict[str, bool | list[str]] = {}
    scorecard: list[str] = Field(min_length=1)

    @field_validator("cohort", mode="before")
    @classmethod
    def _cohort(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for key, item in value.items():
            if key in COHORT_FLAGS:
                if not isinstance(item, bool):
                    raise ValueError(f"{key} must be true or false")
            elif key in COHORT_VALUES:
                item = [item] if isinstance(item, str) else item
                if not (isinstance(item, list) and item and all(isinstance(v, str) for v in item)):
                    raise ValueError(f"{key} must be a value or a non-empty list of values")
            else:
                raise ValueError(f"unknown cohort column {key!r}; allowed: {', '.join(COHORT_FLAGS + COHORT_VALUES)}")
            out[key] = item
        return out


class Catalogue(_Strict):
    """The whole catalogue, with generated VCOP measures and lookup helpers."""

    version: str
    statistics: Statistics = Statistics()
    rights: dict[int, str]
    rights_cy: dict[int, str]
    entitlements: list[EntitlementDef] = Field(min_length=1)
    moj_areas: list[MojArea] = []
    # The legacy 2020-Code MoJ return template's title (the prescribed metrics, once published, are a catalogue edit).
    moj_title: str = "MoJ return (legacy 2020-Code template)"
    moj_title_cy: str = Field("Ffurflen y Weinyddiaeth Gyfiawnder (templed etifeddol Cod 2020)", min_length=1)
    exception_reasons: list[ExceptionReason] = []
    vcop_measures: VcopDefaults
    duty_measures: DutyDefaults | None = None
    sources: dict[str, SourceDef]
    measures: list[Measure]
    portfolios: list[Portfolio] = Field(min_length=1)
    # Contract v2 (STATUTORY.md §3, §4, §6): dip-sample criteria, the categories of need (CG_NEED_<NEED> generated
    # from them with need_measures), and the days a body has to publish its response to a report.
    quality_criteria: list[NamedCode] = []
    needs: list[NamedCode] = []
    need_measures: NeedDefaults | None = None
    response_days: dict[str, int] = {}

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        problems = []
        if set(self.rights_cy) != set(self.rights) or not all(self.rights_cy.values()):
            missing = sorted(n for n in self.rights if not self.rights_cy.get(n))
            extra = sorted(set(self.rights_cy) - set(self.rights))
            problems.append(f"rights_cy: every right needs its Welsh name (missing {missing}, not a right {extra})")
        codes = [e.code for e in self.entitlements]
        problems += [f"entitlements: code {c} appears more than once" for c in _duplicates(codes)]
        for i, e in enumerate(self.entitlements):
            if e.right not in self.rights:
                problems.append(f"entitlements[{i}] ({e.code}).right: right {e.right} is not listed under rights")
        reasons = [r.code for r in self.exception_reasons]
        problems += [f"exception_reasons: code {c} appears more than once" for c in _duplicates(reasons)]
        if self.duty_measures is not None and not reasons:
            problems.append("duty_measures: needs exception_reasons (the good reasons EXC_SHARE is cut by)")
        for i, area in enumerate(self.moj_areas):
            for code in area.codes:
                if code not in codes:
                    problems.append(f"moj_areas[{i}] ({area.id}).codes: unknown entitlement code {code}")
        ids = [m.id for m in self.measures]
        problems += [f"measures: id {m} appears more than once" for m in _duplicates(ids)]
        for i, m in enumerate(self.measures):
            where = f"measures[{i}] ({m.id})"
            if m.source not in self.sources:
                problems.append(f"{where}.source: unknown source {m.source!r}; known: {', '.join(self.sources)}")
            elif m.cuts is not None and set(m.cuts) - _cuts_of(self.sources[m.source], m.source):
                extra = ", ".join(sorted(set(m.cuts) - _cuts_of(self.sources[m.source], m.source)))
                problems.append(f"{where}.cuts: {extra} not carried by source {m.source}")
            if m.codes and set(m.codes) - set(codes):
                problems.append(f"{where}.codes: unknown entitlement codes {sorted(set(m.codes) - set(codes))}")
        all_ids = set(ids) | _generated_ids(self)
        problems += [f"measures: id {m} clashes with a generated measure" for m in set(ids) & _generated_ids(self)]
        problems += [f"portfolios: id {p} appears more than once" for p in _duplicates([p.id for p in self.portfolios])]
        for i, p in enumerate(self.portfolios):
            for pattern in p.scorecard:
                if not any(fnmatch.fnmatchcase(m, pattern) for m in all_ids):
                    problems.append(f"portfolios[{i}] ({p.id}).scorecard: {pattern!r} matches no measure")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    # ---------------------------------------------------------------- lookups

    @functools.cached_property
    def all_measures(self) -> list[Measure]:
        """Every measure: the generated VCOP ones first, then those listed, with source settings filled in."""
        resolved = []
        for m in [*_generated(self), *_generated_needs(self), *self.measures]:
            source = self.sources[m.source]
            cuts = list(source.cuts) if m.cuts is None else list(m.cuts)
            resolved.append(m.model_copy(update={"cuts": cuts, "case_based": source.case_based}))
        return resolved

    @functools.cached_property
    def _by_id(self) -> dict[str, Measure]:
        return {m.id: m for m in self.all_measures}

    def measure_ids(self) -> frozenset[str]:
        """Every measure id the catalogue holds."""
        return frozenset(self._by_id)

    def measure(self, metric_id: str) -> Measure:
        """The measure with this id (KeyError naming it otherwise)."""
        try:
            return self._by_id[metric_id]
        except KeyError:
            raise KeyError(f"unknown measure {metric_id!r}") from None

    def portfolio(self, portfolio_id: str) -> Portfolio:
        """The portfolio with this id (KeyError listing the known ones otherwise)."""
        for p in self.portfolios:
            if p.id == portfolio_id:
                return p
        raise KeyError(f"unknown portfolio {portfolio_id!r}; known: {', '.join(p.id for p in self.portfolios)}")

    def expand(self, patterns: list[str]) -> list[str]:
        """Measure ids matching ids or shell-style patterns (VCOP_R6_*), in pattern then catalogue order, no repeats."""
        out: list[str] = []
        for pattern in patterns:
            for m in self.all_measures:
                if fnmatch.fnmatchcase(m.id, pattern) and m.id not in out:
                    out.append(m.id)
        return out

    def scorecard_measures(self, portfolio_id: str) -> list[str]:
        """The measure ids on a portfolio's scorecard."""
        return self.expand(self.portfolio(portfolio_id).scorecard)

    def entitlement(self, code: str) -> EntitlementDef:
        """The entitlement definition of a code."""
        for e in self.entitlements:
            if e.code == code:
                return e
        raise KeyError(f"unknown entitlement code {code!r}")

    def timescales(self) -> pd.DataFrame:
        """One row per entitlement code: standard, enhanced, unit (the input of entitlement states)."""
        return pd.DataFrame(
            [(e.code, e.standard, e.enhanced, e.unit) for e in self.entitlements],
            columns=["code", "standard", "enhanced", "unit"],
        ).set_index("code")

    def measure_name(self, metric_id: str, lang: str = "en") -> str:
        """A measure's name in the language ("cy" Welsh, anything else English)."""
        m = self.measure(metric_id)
        return m.name_cy if lang == "cy" else m.name

    def portfolio_name(self, portfolio_id: str, lang: str = "en") -> str:
        """A portfolio's name in the language."""
        p = self.portfolio(portfolio_id)
        return p.name_cy if lang == "cy" else p.name

    def right_name(self, right: int, lang: str = "en") -> str:
        """What a right of the Code is about, in the language."""
        return (self.rights_cy if lang == "cy" else self.rights)[right]

    def entitlement_basis(self, code: str, lang: str = "en") -> str:
        """Where an entitlement's timescale comes from (the Code, a local standard ...), in the language."""
        e = self.entitlement(code)
        return e.basis_cy if lang == "cy" else e.basis

    def source_name(self, source: str, lang: str = "en") -> str:
        """A source table's name as definitions show it, in the language."""
        s = self.sources[source]
        return s.name_cy if lang == "cy" else s.name

    def definition(self, metric_id: str, lang: str = "en") -> dict[str, Any]:
        """What a measure means, for the "definition one click away" panel and the evidence export: its name,
        numerator, denominator, source name and each entitlement's basis and right in the language ("cy" Welsh,
        anything else English); ids and codes (source, period_date, kind, polarity, unit) are the same in both."""
        welsh = lang == "cy"
        m = self.measure(metric_id)
        out = {
            "id": m.id,
            "lang": "cy" if welsh else "en",
            "name": m.name_cy if welsh else m.name,
            "area": m.area,
            "kind": m.kind,
            "numerator": m.numerator_cy if welsh else m.numerator,
            "denominator": m.denominator_cy if welsh else m.denominator,
            "polarity": m.polarity,
            "target": m.target,
            "source": m.source,
            "source_name": self.source_name(m.source, lang),
            "period_date": m.period_date,
            "cuts": list(m.cuts or []),
            "case_based": m.case_based,
            "catalogue_version": self.version,
        }
        if m.codes:
            out["entitlements"] = [self._entitlement_text(self.entitlement(c), welsh) for c in m.codes]
        return out

    def _entitlement_text(self, e: EntitlementDef, welsh: bool) -> dict[str, Any]:
        """An entitlement's settings with its basis and right's name in one language."""
        out = e.model_dump(exclude={"basis_cy", "name_cy"}) | {"name": e.label("cy" if welsh else "en")}
        if welsh:
            out |= {"basis": e.basis_cy, "right_name": self.rights_cy[e.right]}
        return out


def _cuts_of(source: SourceDef, name: str) -> set[str]:
    """The cuts a measure on this source may list: the source's, and its row cuts (exception_reason)."""
    return set(source.cuts) | set(SOURCE_ROW_CUTS.get(name, ()))


def _duplicates(items: list[str]) -> list[str]:
    """Items that appear more than once, in first-seen order."""
    seen, repeated = set(), []
    for item in items:
        if item in seen and item not in repeated:
            repeated.append(item)
        seen.add(item)
    return repeated


def _generated(cat: Catalogue) -> list[Measure]:
    """VCOP_OVERALL, VCOP_RIGHT_<n>, VCOP_<CODE>, VCOP_MOJ_<AREA>, then the DUTY_* measures and EXC_SHARE, from the
    entitlement list."""
    d = cat.vcop_measures
    common = {
        "area": d.area,
        "kind": "rate",
        "polarity": d.polarity,
        "target": d.target,
        "source": d.source,
        "period_date": d.period_date,
        "numerator": d.numerator,
        "numerator_cy": d.numerator_cy,
        "denominator": d.denominator,
        "denominator_cy": d.denominator_cy,
    }
    codes = [e.code for e in cat.entitlements]
    out = [
        Measure(
            id="VCOP_OVERALL",
            name="Victims' Code compliance: all entitlements",
            name_cy="Cydymffurfio â Chod y Dioddefwyr: pob hawl",
            codes=codes,
            **common,
        )
    ]
    for right, name in sorted(cat.rights.items()):
        members = [e.code for e in cat.entitlements if e.right == right]
        if members:
            out.append(
                Measure(
                    id=f"VCOP_RIGHT_{right}",
                    name=f"Right {right}: {name}",
                    name_cy=f"Hawl {right}: {cat.rights_cy.get(right, name)}",
                    codes=members,
                    **common,
                )
            )
    for e in cat.entitlements:
        name = f"{e.label()} (right {e.right}: {cat.rights[e.right]})"
        name_cy = f"{e.label('cy')} (hawl {e.right}: {cat.rights_cy.get(e.right, cat.rights[e.right])})"
        out.append(Measure(id=f"VCOP_{e.code}", name=name, name_cy=name_cy, codes=[e.code], **common))
    for area in cat.moj_areas:
        out.append(
            Measure(
                id=f"VCOP_MOJ_{area.id}",
                name=f"MoJ return: {area.name}",
                name_cy=f"Ffurflen y Weinyddiaeth Gyfiawnder: {area.name_cy}",
                codes=area.codes,
                **common,
            )
        )
    return out + _generated_duty(cat)


def _generated_duty(cat: Catalogue) -> list[Measure]:
    """DUTY_OVERALL, DUTY_RIGHT_<n>, DUTY_<CODE> and EXC_SHARE (STATUTORY.md §1), when the catalogue sets them."""
    d, v = cat.duty_measures, cat.vcop_measures
    if d is None:
        return []
    common = {"area": d.area, "kind": "rate", "source": v.source, "period_date": v.period_date}
    duty = {
        **common,
        "polarity": d.polarity,
        "target": d.target,
        "numerator": d.numerator,
        "numerator_cy": d.numerator_cy,
        "denominator": d.denominator,
        "denominator_cy": d.denominator_cy,
        "params": DUTY_COUNTS,
    }
    codes = [e.code for e in cat.entitlements]
    out = [
        Measure(
            id="DUTY_OVERALL",
            name="Victims' Code duty met: all entitlements",
            name_cy="Dyletswydd Cod y Dioddefwyr wedi'i chyflawni: pob hawl",
            codes=codes,
            **duty,
        )
    ]
    for right, name in sorted(cat.rights.items()):
        members = [e.code for e in cat.entitlements if e.right == right]
        if members:
            name_cy = cat.rights_cy.get(right, name)
            out.append(
                Measure(
                    id=f"DUTY_RIGHT_{right}",
                    name=f"Duty met, right {right}: {name}",
                    name_cy=f"Dyletswydd wedi'i chyflawni, hawl {right}: {name_cy}",
                    codes=members,
                    **duty,
                )
            )
    for e in cat.entitlements:
        name_cy = cat.rights_cy.get(e.right, cat.rights[e.right])
        out.append(
            Measure(
                id=f"DUTY_{e.code}",
                name=f"Duty met: {e.label()} (right {e.right}: {cat.rights[e.right]})",
                name_cy=f"Dyletswydd wedi'i chyflawni: {e.label('cy')} (hawl {e.right}: {name_cy})",
                codes=[e.code],
                **duty,
            )
        )
    out.append(
        Measure(
            id="EXC_SHARE",
            name="Shortfalls with a recorded good reason",
            name_cy="Diffygion â rheswm da wedi'i gofnodi",
            polarity="neutral",
            target=d.share_target,
            numerator=d.share_numerator,
            numerator_cy=d.share_numerator_cy,
            denominator=d.share_denominator,
            denominator_cy=d.share_denominator_cy,
            codes=codes,
            cuts=[*cat.sources[v.source].cuts, *SOURCE_ROW_CUTS.get(v.source, ())],
            params=SHARE_COUNTS,
            **common,
        )
    )
    return out


def _generated_ids(cat: Catalogue) -> set[str]:
    return {m.id for m in [*_generated(cat), *_generated_needs(cat)]}


def _generated_needs(cat: Catalogue) -> list[Measure]:
    """CG_NEED_<NEED> for each category of need (STATUTORY.md §6), when the catalogue sets need_measures."""
    d = cat.need_measures
    if d is None:
        return []
    return [
        Measure(
            id=f"CG_NEED_{need.code.upper()}",
            name=f"Need met or improved: {need.name}",
            name_cy=f"Angen wedi'i ddiwallu neu wella: {need.name_cy}",
            kind="rate",
            params={"need": need.code},
            **d.model_dump(),
        )
        for need in cat.needs
    ]


def _describe(loc: tuple, raw: dict) -> str:
    """`measures[12] (SAT_WHOLE).polarity` from a pydantic error location."""
    parts: list[str] = []
    node: Any = raw
    for item in loc:
        if isinstance(item, int) and parts:
            label = f"[{item}]"
            entry = node[item] if isinstance(node, list) and item < len(node) else None
            if isinstance(entry, dict) and (entry.get("id") or entry.get("code")):
                label += f" ({entry.get('id') or entry.get('code')})"
            parts[-1] += label
        else:
            parts.append(str(item))
        try:
            node = node[item]
        except (KeyError, IndexError, TypeError):
            node = None
    return ".".join(parts) if parts else "catalogue"


def _message(error: dict) -> str:
    """A plain-English reason for one pydantic error."""
    kind = error["type"]
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return "must be one of " + expected.replace("'", "").replace(" or ", ", ")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"][0].lower() + error["msg"][1:]


def parse_catalogue(data: dict) -> Catalogue:
    """Validate catalogue data (as read from YAML); CatalogueError lists every problem by entry and field."""
    if not isinstance(data, dict):
        raise CatalogueError("catalogue: must be a mapping of version, entitlements, measures, portfolios, ...")
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        # Cross-entry problems (from the model validator) carry no location: they name their entries themselves.
        lines = [f"{_describe(e['loc'], data)}: {_message(e)}" if e["loc"] else _message(e) for e in exc.errors()]
        raise CatalogueError("invalid catalogue:\n" + "\n".join(lines)) from None


def _with_right_names(data: dict) -> dict:
    """Copy each right's name onto its entitlements (so the entitlement carries its right's wording)."""
    rights = data.get("rights") if isinstance(data, dict) else None
    entries = data.get("entitlements") if isinstance(data, dict) else None
    if not isinstance(rights, dict) or not isinstance(entries, list):
        return data
    named = [
        {**e, "right_name": rights.get(e.get("right"), "")} if isinstance(e, dict) and "right_name" not in e else e
        for e in entries
    ]
    return {**data, "entitlements": named}


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> Catalogue:
    with open(path, encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=YAML_LOADER)
    return parse_catalogue(_with_right_names(data))


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load and validate the catalogue (VSD_CATALOGUE, else config/catalogue.yaml); cached until the file changes."""
    resolved = Path(path or os.environ.get("VSD_CATALOGUE") or DEFAULT_PATH).resolve()
    return _load(str(resolved), resolved.stat().st_mtime)
