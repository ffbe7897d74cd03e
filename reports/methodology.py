"""The methodology statement of the exports (METRICS.md §1, §2, §5), in English and Welsh."""

from __future__ import annotations

from config.i18n import check_language

_SECTIONS: dict[str, list[tuple[str, str, str]]] = {
    # (key, heading, text); text may use {rate}, {pub} and {limit}
    "en": [
        (
            "periods",
            "Periods and the as-of date",
            "Each record is counted in the calendar month of its period date (the trigger date for entitlements, the "
            "survey date for surveys, the referral date for referrals, and so on). The headline figure is the latest "
            "rolling 12 complete months up to the as-of date, the date the data was extracted; nothing after it is "
            "counted.",
        ),
        (
            "working_days",
            "Working days",
            "A working day is Monday to Friday, excluding bank holidays in England and Wales. The working days elapsed "
            "from a trigger date T to a delivery date D are the working days d with T < d ≤ D: the same day is 0, and "
            "a Friday trigger delivered on the Monday is 1. Calendar-day timescales count (D − T) in days.",
        ),
        (
            "entitlements",
            "Victims' Code entitlements",
            "At the as-of date each entitlement is timely (delivered within its timescale; the enhanced timescale for "
            "victims entitled to enhanced rights), late (delivered after it), missed (not delivered and past its "
            "timescale), pending (not delivered and still within its timescale; not counted yet) or excluded "
            "(declined). Compliance = timely ÷ (timely + late + missed).",
        ),
        (
            "wilson",
            "Confidence intervals (Wilson)",
            "Every rate is given with its 95% Wilson score interval, which stays between 0% and 100% and behaves well "
            "for small bases and for rates near 0% or 100%.",
        ),
        (
            "newcombe",
            "Change between periods (Newcombe)",
            "A change between two periods is the difference of the two proportions with the Newcombe hybrid score "
            "interval (method 10 of Newcombe, 1998), built from the two Wilson intervals, and the pooled "
            "two-proportion z test. A change is called significant only when p < 0.05.",
        ),
        (
            "spc",
            "Statistical process control (SPC)",
            "Monthly series are plotted on XmR charts as in NHS England's Making Data Count: the centre line is the "
            "mean and the process limits are the mean ± 2.66 × the mean moving range. A point is special cause when "
            "it is (1) outside the limits, (2) part of a run of 7 or more points on one side of the mean, (3) part of "
            "a trend of 7 or more points each higher (or lower) than the one before, or (4) one of two out of three "
            "consecutive points beyond two sigma on the same side of the mean. A special cause is an improvement or a "
            "concern by the measure's direction; the variation icon describes the latest point. Assurance compares "
            "the target with the limits: consistently passes, consistently fails, or hit and miss. With fewer than 12 "
            "points the limits are trial limits; with fewer than 2 there is no chart.",
        ),
        (
            "rag",
            "RAG ratings",
            "RAG compares the headline value with its target. Where higher is better: green at or above the target, "
            "amber up to 5 percentage points below it, red below that; mirrored where lower is better. Measures with "
            "no direction have no RAG. RAG and SPC results are always given in words and symbols as well as colour.",
        ),
        (
            "suppression",
            "Suppression of small numbers",
            "A rate whose base (denominator) is below {rate} is not shown: it reads 'fewer than {rate}', never 0% or "
            "100%, and takes no RAG or SPC icon.",
        ),
        (
            "case_data",
            "Case-level data",
            "Case-level extracts carry pseudonymised references only; no names, addresses or dates of birth are held.",
        ),
    ],
    "cy": [
        (
            "periods",
            "Cyfnodau a'r dyddiad 'yn gywir ar'",
            "Caiff pob cofnod ei gyfrif ym mis calendr ei ddyddiad cyfnod (y dyddiad sbarduno ar gyfer hawliau, "
            "dyddiad yr arolwg ar gyfer arolygon, dyddiad yr atgyfeiriad ar gyfer atgyfeiriadau, ac ati). Y ffigur "
            "pennawd yw'r 12 mis cyflawn treigl diweddaraf hyd at y dyddiad 'yn gywir ar', sef y dyddiad y tynnwyd y "
            "data; ni chyfrifir dim ar ôl y dyddiad hwnnw.",
        ),
        (
            "working_days",
            "Diwrnodau gwaith",
            "Diwrnod gwaith yw dydd Llun i ddydd Gwener, ac eithrio gwyliau banc yng Nghymru a Lloegr. Y diwrnodau "
            "gwaith a aeth heibio rhwng dyddiad sbarduno T a dyddiad cyflawni D yw'r diwrnodau gwaith d lle mae "
            "T < d ≤ D: 0 yw'r un diwrnod, ac 1 yw sbardun ar ddydd Gwener a gyflawnwyd ar y dydd Llun. Mae "
            "amserlenni mewn diwrnodau calendr yn cyfrif (D − T) mewn diwrnodau.",
        ),
        (
            "entitlements",
            "Hawliau Cod y Dioddefwyr",
            "Ar y dyddiad 'yn gywir ar' mae pob hawl yn amserol (wedi'i chyflawni o fewn ei hamserlen; yr amserlen "
            "uwch i ddioddefwyr sydd â hawl i hawliau uwch), yn hwyr (wedi'i chyflawni ar ôl hynny), wedi'i methu "
            "(heb ei chyflawni ac wedi mynd heibio i'w hamserlen), yn yr arfaeth (heb ei chyflawni ond o fewn ei "
            "hamserlen o hyd; nid yw'n cael ei chyfrif eto) neu wedi'i heithrio (wedi'i gwrthod). Cydymffurfiaeth = "
            "amserol ÷ (amserol + hwyr + wedi'u methu).",
        ),
        (
            "wilson",
            "Cyfyngau hyder (Wilson)",
            "Rhoddir pob cyfradd gyda'i chyfwng sgôr Wilson 95%, sy'n aros rhwng 0% a 100% ac sy'n ymddwyn yn dda "
            "ar gyfer seiliau bach ac ar gyfer cyfraddau sy'n agos at 0% neu 100%.",
        ),
        (
            "newcombe",
            "Newid rhwng cyfnodau (Newcombe)",
            "Newid rhwng dau gyfnod yw'r gwahaniaeth rhwng y ddwy gyfran, gyda chyfwng sgôr hybrid Newcombe (dull "
            "10 Newcombe, 1998), a adeiladwyd o'r ddau gyfwng Wilson, a'r prawf z cyfun ar gyfer dwy gyfran. Dim "
            "ond pan fo p < 0.05 y gelwir newid yn arwyddocaol.",
        ),
        (
            "spc",
            "Rheoli prosesau ystadegol (SPC)",
            "Caiff cyfresi misol eu plotio ar siartiau XmR fel yn 'Making Data Count' GIG Lloegr: y llinell ganol "
            "yw'r cymedr a therfynau'r broses yw'r cymedr ± 2.66 × cymedr yr amrediad symudol. Mae pwynt yn achos "
            "arbennig pan fo (1) y tu allan i'r terfynau, (2) yn rhan o rediad o 7 pwynt neu fwy ar un ochr i'r "
            "cymedr, (3) yn rhan o duedd o 7 pwynt neu fwy, pob un yn uwch (neu'n is) na'r un blaenorol, neu (4) yn "
            "un o ddau o dri phwynt olynol y tu hwnt i ddau sigma ar yr un ochr i'r cymedr. Mae achos arbennig yn "
            "welliant neu'n bryder yn ôl cyfeiriad y mesur; mae'r eicon amrywiad yn disgrifio'r pwynt diweddaraf. "
            "Mae sicrwydd yn cymharu'r targed â'r terfynau: yn cyrraedd yn gyson, yn methu'n gyson, neu weithiau'n "
            "cyrraedd ac weithiau'n methu. Gyda llai na 12 pwynt, terfynau prawf yw'r terfynau; gyda llai na 2 does "
            "dim siart.",
        ),
        (
            "rag",
            "Statws RAG",
            "Mae RAG yn cymharu'r gwerth pennawd â'i darged. Lle mae uwch yn well: gwyrdd ar y targed neu'n uwch, "
            "ambr hyd at 5 pwynt canran oddi tano, coch o dan hynny; i'r gwrthwyneb lle mae is yn well. Does dim RAG "
            "ar gyfer mesurau heb gyfeiriad. Rhoddir canlyniadau RAG ac SPC mewn geiriau a symbolau yn ogystal â "
            "lliw bob amser.",
        ),
        (
            "suppression",
            "Atal niferoedd bach",
            "Ni ddangosir cyfradd sydd â sail (enwadur) o lai na {rate}: mae'n darllen 'llai na {rate}', byth 0% na "
            "100%, ac nid yw'n cael eicon RAG nac SPC.",
        ),
        (
            "case_data",
            "Data ar lefel achos",
            "Dim ond cyfeirnodau ffugenwol sydd yn y darnau ar lefel achos; ni chedwir enwau, cyfeiriadau na "
            "dyddiadau geni.",
        ),
    ],
}

_PUBLICATION: dict[str, str] = {
    "en": (
        "This pack is prepared for publication: counts from 1 to {limit} are replaced by '<{pub}', and one further "
        "cell in the same row or column is suppressed ('[c]') wherever a total would otherwise reveal a hidden count. "
        "Rates, intervals and icons that would reveal a hidden count are removed too, and no case-level data is "
        "included. The Suppression log lists every suppressed cell and the reason, not its value."
    ),
    "cy": (
        "Mae'r pecyn hwn wedi'i baratoi i'w gyhoeddi: rhoddir '<{pub}' yn lle cyfrifon o 1 i {limit}, ac atelir un "
        "gell arall yn yr un rhes neu golofn ('[c]') lle byddai cyfanswm fel arall yn datgelu cyfrif cudd. Caiff "
        "cyfraddau, cyfyngau ac eiconau a fyddai'n datgelu cyfrif cudd eu dileu hefyd, a does dim data ar lefel "
        "achos wedi'i gynnwys. Mae'r Cofnod atal data yn rhestru pob cell a ataliwyd a'r rheswm, nid ei gwerth."
    ),
}

_FULL_COUNTS: dict[str, str] = {
    "en": "Numerators and denominators are still given in this pack, and the Suppression log lists each such rate.",
    "cy": "Rhoddir y rhifiaduron a'r enwaduron yn y pecyn hwn o hyd, ac mae'r Cofnod atal data yn rhestru pob "
    "cyfradd o'r fath.",
}


def methodology(
    lang: str, *, rate_threshold: int = 10, publication_threshold: int = 5, publication: bool = False
) -> list[tuple[str, str]]:
    """The methodology as (heading, paragraph) pairs in the language, with the configured thresholds filled in."""
    values = {"rate": rate_threshold, "pub": publication_threshold, "limit": publication_threshold - 1}
    sections = []
    for key, heading, text in _SECTIONS[check_language(lang)]:
        paragraph = text.format(**values)
        if key == "suppression":
            extra = _PUBLICATION[lang] if publication else _FULL_COUNTS[lang]
            paragraph = f"{paragraph} {extra.format(**values)}"
        if key == "case_data" and publication:
            continue
        sections.append((heading, paragraph))
    return sections
