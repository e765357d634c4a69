"""Swedish sentences generated from computed results.

Every function takes plain values (numbers, period strings, names from the catalogue)
so it does not depend on the analysis modules, and returns finished Swedish text.
The sentences only state what the numbers show: one value gives no trend, a
non-significant trend is hedged and gets no verdict, missing data is said to be missing.
Values that ecoreport generated (status ``synthetic``) are marked in the text.

All Swedish wording lives in :data:`PHRASES` (and the word tables below it) so it can
be reviewed in one place.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Literal, Protocol

from ecoreport.analysis.trends import SIGNIFICANCE_LEVEL
from ecoreport.data.vocab import POLARITIES
from ecoreport.markup.formatting import (
    MINUS,
    format_number,
    format_percent,
    format_period,
    format_unit_number,
    is_missing,
)

Polarity = Literal["higher_is_better", "higher_is_worse", "neutral"]

#: Changes smaller than this share of the first value are "unchanged".
RELATIVE_TOLERANCE = 0.01

PHRASES: dict[str, str] = {
    # describe_change
    "rise": "{subject} har ökat från {first} till {last}",
    "fall": "{subject} har minskat från {first} till {last}",
    "same_display": "{subject} ligger kvar på {last}, samma nivå som {first_time}",
    "unchanged": "{subject} ligger kvar på ungefär samma nivå: {first} och {last}",
    "not_significant": ", men trenden över perioden är inte statistiskt säker",
    "indicative": (", men trenden är bara indikativ (för få år eller överlappande perioder "
                   "för ett säkert test)"),
    "no_clear_trend": ", och det finns ingen tydlig trend över perioden",
    "untested": (", men det finns för få observerade värden för att pröva om det är en "
                 "trend"),
    "trend_opposite_up": ", men trenden över hela perioden pekar uppåt",
    "trend_opposite_down": ", men trenden över hela perioden pekar nedåt",
    "hidden_trend_up": ", men över hela perioden finns en statistiskt säker uppåtgående trend",
    "hidden_trend_down": ", men över hela perioden finns en statistiskt säker nedåtgående trend",
    "positive": ", vilket är en positiv utveckling för innovationsförmågan",
    "negative": ", vilket är en negativ utveckling för innovationsförmågan",
    "single": ("Endast ett värde finns ({period}): {subject_lower} var {value}, "
               "så utvecklingen över tid kan inte beskrivas"),
    "missing": "Uppgifter om {name_lower} saknas för länet",
    # time expressions; a bare year reads badly right after a bare number
    "at_year": "{period}",
    # after a bare number "år 2013" reads as a number of years ("6 år"): "under 2013"
    "at_year_no_unit": "under {period}",
    "at_span": "under {period}",
    # describe_rank
    "rank": "{region} ligger på plats {rank} av {n} län när det gäller {name_lower} {period}",
    "rank_top": "{region} har det högsta värdet av {n} län när det gäller {name_lower} {period}",
    "rank_bottom": "{region} har det lägsta värdet av {n} län när det gäller {name_lower} {period}",
    "rank_top_low_first": "{region} har det lägsta värdet av {n} län när det gäller {name_lower} {period}",
    "rank_bottom_low_first": "{region} har det högsta värdet av {n} län när det gäller {name_lower} {period}",
    "rank_note_high_first": " (plats 1 har det högsta värdet)",
    "rank_note_low_first": " (plats 1 har det lägsta värdet)",
    # describe_vs_reference
    "vs_higher": "Med {value} {period} ligger {region} högre än {reference} ({ref_value})",
    "vs_lower": "Med {value} {period} ligger {region} lägre än {reference} ({ref_value})",
    "vs_level": "Med {value} {period} ligger {region} i nivå med {reference} ({ref_value})",
    "vs_strength": ", vilket är en styrka för länet",
    "vs_weakness": ", vilket är en svaghet för länet",
    "vs_missing": "Det går inte att jämföra {region} med {reference} för {name_lower} {period} "
                  "eftersom uppgifter saknas",
    # describe_pca_position
    "pca_left": ("{period} ligger {region} till vänster på axeln, vilket betyder att "
                 "innovationssystemet är mer forskningsdrivet än marknadsdrivet"),
    "pca_right": ("{period} ligger {region} till höger på axeln, vilket betyder att "
                  "innovationssystemet är mer marknadsdrivet än forskningsdrivet"),
    "pca_centre": ("{period} ligger {region} nära mitten av axeln, vilket betyder att "
                   "innovationssystemet varken är tydligt forskningsdrivet eller marknadsdrivet"),
    "pca_drift_right": "Sedan {first_period} har länet rört sig åt höger, mot mer marknadsdriven innovation",
    "pca_drift_left": "Sedan {first_period} har länet rört sig åt vänster, mot mer forskningsdriven innovation",
    "pca_drift_none": "Positionen har inte förändrats tydligt sedan {first_period}",
    "pca_explained": "Axeln fångar {share} av variationen i indikatorerna",
    "pca_missing": "Det finns inga beräknade positioner för {region} på axeln mellan forsknings- och marknadsdriven innovation",
    # the tested axis across the län
    "axis_unsupported": ("Axeln mellan forskning och marknad stöds inte av observerade data: "
                         "räknat enbart på observerade värden skiljer indikatorerna inte säkert "
                         "forskningssidan från marknadssidan när alla 21 län jämförs "
                         "(permutationstest, p = {p}); rapporten anger "
                         "därför ingen placering av {region} på en axel mellan forskning och "
                         "marknad"),
    "axis_not_fitted": ("Axeln mellan forskning och marknad stöds inte av observerade data: "
                        "bara {n_research} forskningsindikatorer och {n_market} "
                        "marknadsindikatorer har observerade värden i minst {coverage} av "
                        "länens år, och ett test kräver minst {minimum} av varje; rapporten "
                        "anger därför ingen placering av {region} på en sådan axel"),
    "axis_supported": ("Räknat enbart på observerade värden och när alla 21 län jämförs, med "
                       "årseffekt och länens allmänna nivå "
                       "borttagna, skiljer {component} forskningsindikatorerna från "
                       "marknadsindikatorerna (permutationstest, p = {p}; komponenten "
                       "förklarar {share} av variationen)"),
    "axis_research": ("{region} ligger på forskningssidan: plats {rank} av {n} räknat från "
                      "forskningssidan (läge {position}, 95 % konfidensintervall {low} till {high})"),
    "axis_market": ("{region} ligger på marknadssidan: plats {rank} av {n} räknat från "
                    "forskningssidan (läge {position}, 95 % konfidensintervall {low} till {high})"),
    "axis_middle": ("{region} ligger inte säkert på någon av sidorna: plats {rank} av {n} "
                    "räknat från forskningssidan (läge {position}, 95 % konfidensintervall {low} till "
                    "{high}, som omfattar noll)"),
    "drift_none": ("Det finns ingen säker förskjutning mellan forskning och marknad i "
                   "länet {first}–{last} (trend i marknadsindex minus forskningsindex "
                   "{slope} per år, 95 % konfidensintervall {low} till {high})"),
    "drift_market": ("Länet har förskjutits mot marknadssidan {first}–{last} (marknadsindex "
                     "minus forskningsindex ökar med {slope} per år, 95 % konfidensintervall {low} "
                     "till {high})"),
    "drift_research": ("Länet har förskjutits mot forskningssidan {first}–{last} "
                       "(marknadsindex minus forskningsindex minskar med {slope} per år, "
                       "95 % konfidensintervall {low} till {high})"),
    "drift_synthetic": ("Räknat med de syntetiska värdena ändras marknadsindex minus "
                        "forskningsindex med {slope} per år {first}–{last} (95 % konfidensintervall "
                        "{low} till {high}), men indexen bygger bara till {pct} på observerade "
                        "värden, så det säger inget säkert om länet"),
    "drift_observed": "Indexen bygger till {pct} på observerade värden",
    "drift_indicative": ("Förskjutningen mellan forskning och marknad {first}–{last} går inte "
                         "att testa säkert (för få år); trenden är {slope} per år"),
    # describe_correlation
    "corr": "Det finns {strength} mellan {a} och {b} (r = {r})",
    "corr_unnamed": "Det finns {strength} (r = {r})",
    "corr_not_significant": ", men sambandet är inte statistiskt säkert",
    "corr_missing": "Sambandet kan inte beräknas eftersom uppgifter saknas",
    "corr_uncertain": ("Det finns inget säkert samband mellan {a} och {b} (r = {r}, 95 % "
                       "konfidensintervall {low} till {high})"),
    # findings
    "finding_strength": ("{region} ligger på plats {rank} av {n} län när det gäller "
                         "{name_lower} {period} ({value})"),
    "finding_weakness": ("{region} ligger på plats {rank} av {n} län när det gäller "
                         "{name_lower} {period} ({value})"),
    "finding_improvement": ("{subject} har en statistiskt säker {direction} trend "
                            "{first}–{last}: {slope} {unit} per år (95 % konfidensintervall "
                            "{low} till {high})"),
    "too_few_findings": ("Ur registerstatistiken vilar färre än tre fynd på observerade "
                         "värden ({n} av minst tre), så sammanfattningen drar inga fler "
                         "slutsatser ur den; placeringar och trender som bygger på syntetiska "
                         "värden redovisas inte som fynd"),
    "reason_synthetic_ranks": ("{n} placeringar i länens översta eller nedersta tredjedel "
                               "bygger på syntetiska värden (för länet, riket eller andra län)"),
    "reason_synthetic_trends": "{n} statistiskt säkra trender bygger på syntetiska värden",
    "reason_no_trends": "ingen indikator har en statistiskt säker trend under perioden",
    # describe_dimension_strengths
    "strengths_and_weaknesses": "{owner} styrkor finns inom {strengths}, medan svagheterna främst gäller {weaknesses}",
    "strengths_only": "{owner} styrkor finns inom {strengths}",
    "weaknesses_only": "{owner} svagheter gäller främst {weaknesses}",
    "no_strengths_or_weaknesses": "Inga dimensioner sticker ut som tydliga styrkor eller svagheter",
    # describe_synthetic_share
    "all_observed": "Alla värden i rapporten är observerade",
    "none_observed": ("Inga värden i rapporten är observerade; alla är syntetiska (framräknade av "
                      "ecoreport) och ska inte läsas som fakta om länet"),
    "share_observed": ("{share} av värdena är observerade; resten är syntetiska (framräknade av "
                       "ecoreport) och ska inte läsas som fakta om länet"),
    # synthetic marker
    "synthetic_value": " (syntetiskt värde)",
    "synthetic_in_brackets": ", syntetiskt värde",
    "pca_synthetic_one": "Positionen för {periods} bygger på syntetiska värden",
    "pca_synthetic_many": "Positionerna för {periods} bygger på syntetiska värden",
    # lists
    "and": " och ",
}

#: Other wordings of some phrases: ``variant`` n picks ``VARIANTS[key][n % len]`` (0 is
#: the :data:`PHRASES` text), so a page of indicators does not repeat one sentence pattern.
#: The conditions (rise/fall, hedging, verdict) are the same for every wording.
VARIANTS: dict[str, tuple[str, ...]] = {
    "rise": ("{subject} har ökat från {first} till {last}",
             "{subject} har gått upp från {first} till {last}",
             "Från {first} har {subject_lower} stigit till {last}",
             "{subject} steg från {first} till {last}"),
    "fall": ("{subject} har minskat från {first} till {last}",
             "{subject} har gått ned från {first} till {last}",
             "Från {first} har {subject_lower} sjunkit till {last}",
             "{subject} sjönk från {first} till {last}"),
    "not_significant": (", men trenden över perioden är inte statistiskt säker",
                        ", men förändringen är inte statistiskt säkerställd",
                        ", men den linjära trenden går inte att skilja från slumpen",
                        ", men förändringen ryms inom den slumpmässiga variationen"),
    "positive": (", vilket är en positiv utveckling för innovationsförmågan",
                 ", en förbättring för innovationsförmågan",
                 ", vilket stärker innovationsförmågan",
                 ", vilket gynnar innovationsförmågan"),
    "negative": (", vilket är en negativ utveckling för innovationsförmågan",
                 ", en försämring för innovationsförmågan",
                 ", vilket försvagar innovationsförmågan",
                 ", vilket är ogynnsamt för innovationsförmågan"),
}


def phrase(key: str, variant: int = 0) -> str:
    """The wording of ``key``: ``VARIANTS`` rotated by ``variant``, else ``PHRASES``."""
    options = VARIANTS.get(key)
    if not options or not variant:
        return PHRASES[key]
    return options[variant % len(options)]


#: Correlation strength by absolute r (lower bound inclusive), strongest first (Cohen 1988).
CORRELATION_STRENGTHS: tuple[tuple[float, str], ...] = (
    (0.5, "ett starkt {sign} samband"),
    (0.3, "ett måttligt {sign} samband"),
    (0.1, "ett svagt {sign} samband"),
    (0.0, "inget tydligt samband"),
)
CORRELATION_SIGNS: dict[int, str] = {1: "positivt", -1: "negativt"}

#: Indefinite head noun (lower case) → definite form, for the subject of a sentence:
#: "Andel kvinnor" → "Andelen kvinnor", "FoU-utgifter …" → "FoU-utgifterna …".
#: Matched against the end of the first word, longest key first, so compounds work.
DEFINITE_FORMS: dict[str, str] = {
    "antal": "antalet",
    "andel": "andelen",
    "handel": "handeln",
    "utgifter": "utgifterna",
    "kostnader": "kostnaderna",
    "intäkter": "intäkterna",
    "investeringar": "investeringarna",
    "publikationer": "publikationerna",
    "ansökningar": "ansökningarna",
    "konkurser": "konkurserna",
    "nivå": "nivån",
    "befolkning": "befolkningen",
    "sysselsättning": "sysselsättningen",
    "omsättning": "omsättningen",
    "täckning": "täckningen",
    "export": "exporten",
    "import": "importen",
    "tillväxt": "tillväxten",
    "företagande": "företagandet",
    "index": "indexet",
    "kvot": "kvoten",
    "medel": "medlen",
}

_SPAN_RE = re.compile(r"\d{4}\s*[-\u2013]\s*\d{4}")


class TrendLike(Protocol):
    """What :func:`describe_trend` reads from a trend result (``trends.TrendResult``)."""

    first_period: str | None
    first_value: float
    last_period: str | None
    last_value: float
    p_value: float
    slope: float


# --- small helpers ---------------------------------------------------------------------

def capitalize_first(text: str) -> str:
    """Upper-case the first character only ("foU-utgifter" stays as written after it)."""
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """Lower-case the first character unless the first word is an acronym ("FoU", "BRP")."""
    first_word = text.split(" ", 1)[0]
    if any(ch.isupper() for ch in first_word[1:]):
        return text
    return text[:1].lower() + text[1:]


def name_in_sentence(name_sv: str, proper_name: bool = False) -> str:
    """A name inside a sentence: first letter lower-cased unless the name begins with a
    proper noun (``proper_name``, from the catalogue: "Almis lån …") or an acronym."""
    return name_sv if proper_name else lower_first(name_sv)


def normalised_unit_text(normalised_unit: object,
                         counted_sv: Sequence[str] | None = None) -> str:
    """A normalised unit after a number: "antal per 100 000 invånare" reads
    "ansökningar per 100 000 invånare" when the catalogue says what is counted
    (``counted_sv`` = (singular, plural)), else "per 100 000 invånare"; "antal företag per …"
    reads "företag per …".

    >>> normalised_unit_text("antal per 100 000 invånare", ("ansökan", "ansökningar"))
    'ansökningar per 100 000 invånare'
    """
    text = str(normalised_unit or "")
    if not text.startswith("antal "):
        return text
    rest = text.removeprefix("antal ")
    if counted_sv and rest.startswith("per "):
        return f"{counted_sv[1]} {rest}"
    return rest


def make_subject(name_sv: str) -> str:
    """Turn a catalogue name into a sentence subject in definite form, capitalised.

    "Andel med eftergymnasial utbildning" → "Andelen med eftergymnasial utbildning";
    names whose head word is not in :data:`DEFINITE_FORMS` are kept as written.
    """
    first, _, rest = name_sv.strip().partition(" ")
    lowered = first.lower()
    for key in sorted(DEFINITE_FORMS, key=len, reverse=True):
        if lowered.endswith(key):
            first = first[: len(first) - len(key)] + _match_case(DEFINITE_FORMS[key], first[-len(key):])
            break
    return capitalize_first(f"{first} {rest}".strip())


def _match_case(word: str, original: str) -> str:
    """Give ``word`` the capitalisation of ``original``'s first letter."""
    return capitalize_first(word) if original[:1].isupper() else word


def join_sv(items: Sequence[str]) -> str:
    """Join a list the Swedish way: "a, b och c" (no comma before "och")."""
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + PHRASES["and"] + items[-1]


def mark_synthetic(text: str, is_synthetic: bool) -> str:
    """Append the synthetic-value marker to ``text`` when ``is_synthetic`` is true."""
    return text + PHRASES["synthetic_value"] if is_synthetic else text


def finish(sentence: str) -> str:
    """End a sentence with a full stop."""
    return sentence if sentence.endswith((".", "!", "?")) else sentence + "."


def is_significant(p_value: float | None, alpha: float = SIGNIFICANCE_LEVEL) -> bool | None:
    """True/False for a p-value, None when no test was made (None or NaN)."""
    if p_value is None or is_missing(p_value):
        return None
    return float(p_value) < alpha


def _check_polarity(polarity: str) -> None:
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, got {polarity!r}")


def _time_phrase(period: object, has_unit: bool) -> str:
    """"2013" / "år 2013" (after a bare number) / "under 2014–2017"."""
    text = format_period(period)
    if _SPAN_RE.search(text):
        return PHRASES["at_span"].format(period=text)
    key = "at_year" if has_unit else "at_year_no_unit"
    return PHRASES[key].format(period=text)


def _value_text(value: float, unit_label: str, decimals: int, unit_one: str | None = None) -> str:
    """The number and its unit word; ``unit_one`` after exactly 1 ("1 ansökan")."""
    number = format_number(value, decimals)
    unit = unit_one if unit_one and number == "1" else unit_label
    return format_unit_number(number, unit.strip())


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _verdict(direction: int, polarity: str) -> str:
    """"positive"/"negative"/"" for a direction of change and the indicator's polarity."""
    if direction == 0 or polarity == "neutral":
        return ""
    better = direction > 0 if polarity == "higher_is_better" else direction < 0
    return "positive" if better else "negative"


# --- change over time ------------------------------------------------------------------

def _claimed_significance(p_value: float | None, alpha: float, claim: str | None) -> bool | None:
    """Whether a trend supports a verdict: the p-value's answer (None: no test), unless a
    ``claim`` overrides it (only "significant" supports one)."""
    if claim in ("indicative", "insufficient"):
        return False
    if claim is not None:
        return claim == "significant"
    return is_significant(p_value, alpha)


def _unchanged_trend_note(significant: bool | None, trend_sign: int) -> str:
    """What follows "unchanged": a tested trend the two end values hide, or that there is
    no clear trend ("" when the trend was not tested)."""
    if significant and trend_sign:
        return PHRASES["hidden_trend_up" if trend_sign > 0 else "hidden_trend_down"]
    if significant is False:
        return PHRASES["no_clear_trend"]
    return ""


def describe_change(name_sv: str, unit_label: str, first_period: object, first_value: float | None,
                    last_period: object, last_value: float | None, decimals: int = 0, *,
                    polarity: str = "neutral", p_value: float | None = None,
                    slope: float | None = None, first_is_synthetic: bool = False,
                    last_is_synthetic: bool = False, subject_sv: str | None = None,
                    alpha: float = SIGNIFICANCE_LEVEL, claim: str | None = None,
                    unit_one: str | None = None, proper_name: bool = False,
                    variant: int = 0) -> str:
    """One or two Swedish sentences on how an indicator changed between two periods.

    ``unit_label`` follows the number ("procent", "mnkr", "ansökningar", "" for bare
    counts), ``unit_one`` replaces it after exactly 1 ("1 ansökan"); a year after a bare
    number reads "under 2013" (never "6 år 2013"). ``proper_name``: the name begins with
    a proper noun and keeps its capital inside a sentence; ``variant`` picks another
    wording of the same statement (see :data:`VARIANTS`);
    ``p_value``/``slope`` come from the trend over the whole series (None or NaN = no
    test). Unchanged means the values display the same or differ by < 1 %. ``claim``
    (``trends.CLAIMS``), when given, overrides the p-value: only "significant" supports a
    verdict, "indicative" is hedged, "insufficient" (too few observed values for a test)
    says so.
    ``subject_sv`` overrides the subject made from ``name_sv``.

    >>> describe_change("Andel med eftergymnasial utbildning", "procent", "2013", 27.0,
    ...                 "2023", 32.8, 1, polarity="higher_is_better", p_value=0.001)
    'Andelen med eftergymnasial utbildning har ökat från 27,0 procent 2013 till 32,8 procent 2023, vilket är en positiv utveckling för innovationsförmågan.'
    """
    _check_polarity(polarity)
    subject = subject_sv or make_subject(name_sv)
    has_first, has_last = not is_missing(first_value), not is_missing(last_value)
    if not has_first and not has_last:
        return finish(PHRASES["missing"].format(
            name_lower=name_in_sentence(make_subject(name_sv), proper_name)))
    same_period = format_period(first_period) == format_period(last_period)
    if not (has_first and has_last) or same_period:
        period, value, synthetic = ((last_period, last_value, last_is_synthetic) if has_last
                                    else (first_period, first_value, first_is_synthetic))
        return finish(PHRASES["single"].format(
            period=format_period(period), subject_lower=name_in_sentence(subject, proper_name),
            value=mark_synthetic(_value_text(float(value), unit_label, decimals, unit_one),
                                 synthetic)))

    # a unit ending in an age ("procent av befolkningen 25–64 år") is as bad as no unit
    # before a bare year: "25–64 år 2013"; both read "under 2013"
    has_unit = bool(unit_label.strip()) and not unit_label.strip().endswith(" år")

    def at(value: float, period: object, synthetic: bool) -> str:  # "27,0 procent 2013"
        return mark_synthetic(f"{_value_text(value, unit_label, decimals, unit_one)} "
                              f"{_time_phrase(period, has_unit)}", synthetic)

    first_text = at(first_value, first_period, first_is_synthetic)
    last_text = at(last_value, last_period, last_is_synthetic)

    direction = classify_change(first_value, last_value, decimals)
    significant = _claimed_significance(p_value, alpha, claim)
    trend_sign = _sign(float(slope)) if slope is not None and not is_missing(slope) else 0

    if direction == 0:
        if format_number(first_value, decimals) == format_number(last_value, decimals):
            last_only = at(last_value, last_period, last_is_synthetic or first_is_synthetic)
            sentence = PHRASES["same_display"].format(
                subject=subject, last=last_only, first_time=_time_phrase(first_period, has_unit))
        else:
            sentence = PHRASES["unchanged"].format(subject=subject, first=first_text, last=last_text)
        return finish(sentence + _unchanged_trend_note(significant, trend_sign))

    sentence = phrase("rise" if direction > 0 else "fall", variant).format(
        subject=subject, subject_lower=name_in_sentence(subject, proper_name),
        first=first_text, last=last_text)
    if claim == "indicative":
        return finish(sentence + PHRASES["indicative"])
    if claim == "insufficient":
        return finish(sentence + PHRASES["untested"])
    if significant is False:
        return finish(sentence + phrase("not_significant", variant))
    if significant and trend_sign and trend_sign != direction:
        return finish(sentence + PHRASES["trend_opposite_up" if trend_sign > 0 else "trend_opposite_down"])
    verdict = _verdict(direction, polarity)
    return finish(sentence + (phrase(verdict, variant) if verdict else ""))


def classify_change(first_value: float, last_value: float, decimals: int = 0,
                    tolerance: float = RELATIVE_TOLERANCE) -> int:
    """+1 rise, −1 fall, 0 unchanged (same displayed value or relative change < tolerance)."""
    first, last = float(first_value), float(last_value)
    if format_number(first, decimals) == format_number(last, decimals):
        return 0
    if first != 0 and abs(last - first) / abs(first) < tolerance:
        return 0
    return _sign(last - first)


def describe_trend(name_sv: str, unit_label: str, result: TrendLike, decimals: int = 0, *,
                   polarity: str = "neutral", first_is_synthetic: bool = False,
                   last_is_synthetic: bool = False, subject_sv: str | None = None,
                   unit_one: str | None = None, proper_name: bool = False,
                   variant: int = 0) -> str:
    """:func:`describe_change` fed from a trend result (e.g. ``trends.TrendResult``)."""
    return describe_change(
        name_sv, unit_label, result.first_period, result.first_value,
        result.last_period, result.last_value, decimals, polarity=polarity,
        p_value=result.p_value, slope=result.slope, first_is_synthetic=first_is_synthetic,
        last_is_synthetic=last_is_synthetic, subject_sv=subject_sv,
        claim=getattr(result, "claim", None), unit_one=unit_one, proper_name=proper_name,
        variant=variant)


# --- comparisons -----------------------------------------------------------------------

def describe_rank(name_sv: str, region_short: str, rank: int, n_regions: int, period: object, *,
                  highest_first: bool = True, is_synthetic: bool = False,
                  proper_name: bool = False) -> str:
    """Where the län ranks among ``n_regions`` län.

    ``highest_first`` tells whether plats 1 is the highest value (default) or the lowest.

    >>> describe_rank("Andel med eftergymnasial utbildning", "Västerbotten", 7, 21, "2023")
    'Västerbotten ligger på plats 7 av 21 län när det gäller andelen med eftergymnasial utbildning 2023 (plats 1 har det högsta värdet).'
    """
    if not 1 <= rank <= n_regions:
        raise ValueError(f"rank must be between 1 and {n_regions}, got {rank}")
    fields = dict(region=region_short, rank=rank, n=n_regions,
                  name_lower=name_in_sentence(make_subject(name_sv), proper_name),
                  period=format_period(period))
    suffix = "" if highest_first else "_low_first"
    if rank == 1:
        sentence = PHRASES["rank_top" + suffix].format(**fields)
    elif rank == n_regions:
        sentence = PHRASES["rank_bottom" + suffix].format(**fields)
    else:
        sentence = PHRASES["rank"].format(**fields)
        sentence += PHRASES["rank_note_high_first" if highest_first else "rank_note_low_first"]
    return finish(mark_synthetic(sentence, is_synthetic))


def describe_vs_reference(name_sv: str, region_short: str, value: float | None,
                          reference_value: float | None, unit_label: str, decimals: int,
                          period: object, *, reference_name: str = "riket",
                          tolerance: float = 0.05, polarity: str = "neutral",
                          is_synthetic: bool = False,
                          reference_is_synthetic: bool = False,
                          proper_name: bool = False) -> str:
    """Compare the län with a reference (riket by default): högre än, i nivå med, lägre än.

    "I nivå med" when the values display the same or differ by at most ``tolerance``
    (relative to the reference).

    >>> describe_vs_reference("Andel", "Västerbotten", 32.8, 30.1, "procent", 1, "2023")
    'Med 32,8 procent 2023 ligger Västerbotten högre än riket (30,1 procent).'
    """
    _check_polarity(polarity)
    if is_missing(value) or is_missing(reference_value):
        return finish(PHRASES["vs_missing"].format(
            region=region_short, reference=reference_name,
            name_lower=name_in_sentence(make_subject(name_sv), proper_name),
            period=format_period(period)))
    value, reference_value = float(value), float(reference_value)
    same_display = format_number(value, decimals) == format_number(reference_value, decimals)
    if same_display or abs(value - reference_value) <= tolerance * abs(reference_value):
        direction = 0
    else:
        direction = _sign(value - reference_value)
    key = {1: "vs_higher", -1: "vs_lower", 0: "vs_level"}[direction]
    sentence = PHRASES[key].format(
        value=mark_synthetic(_value_text(value, unit_label, decimals), is_synthetic),
        period=format_period(period), region=region_short, reference=reference_name,
        ref_value=_value_text(reference_value, unit_label, decimals)
        + (PHRASES["synthetic_in_brackets"] if reference_is_synthetic else ""))
    verdict = _verdict(direction, polarity)
    if verdict:
        sentence += PHRASES["vs_strength" if verdict == "positive" else "vs_weakness"]
    return finish(sentence)


# --- research versus market axis -------------------------------------------------------

def describe_pca_position(region_short: str, periods: Sequence[object], scores: Sequence[float], *,
                          tolerance: float = 0.5, explained_variance_pct: float | None = None,
                          is_synthetic: Sequence[bool] | bool = False) -> str:
    """Position and drift of the län on the research (left) vs market (right) axis.

    ``scores`` are the component scores per period (negative = left = research-driven);
    scores within ``tolerance`` of zero are "nära mitten", and a first-to-last move smaller
    than ``tolerance`` is no clear drift. ``is_synthetic`` flags (per period, or one for
    all) say which positions rest on synthetic values.
    """
    pairs = [(p, float(s)) for p, s in zip(periods, scores, strict=True) if not is_missing(s)]
    flags = ([bool(is_synthetic)] * len(periods) if isinstance(is_synthetic, bool)
             else [bool(f) for f in is_synthetic])
    if len(flags) != len(periods):
        raise ValueError("is_synthetic must have one flag per period")
    if not pairs:
        return finish(PHRASES["pca_missing"].format(region=region_short))
    pairs.sort(key=lambda pair: _period_sort_key(pair[0]))
    (first_period, first_score), (last_period, last_score) = pairs[0], pairs[-1]
    if last_score < -tolerance:
        key = "pca_left"
    elif last_score > tolerance:
        key = "pca_right"
    else:
        key = "pca_centre"
    sentences = [PHRASES[key].format(period=capitalize_first(_year_phrase(last_period)),
                                     region=region_short)]
    if len(pairs) > 1:
        drift = last_score - first_score
        drift_key = ("pca_drift_none" if abs(drift) < tolerance
                     else "pca_drift_right" if drift > 0 else "pca_drift_left")
        sentences.append(PHRASES[drift_key].format(first_period=format_period(first_period)))
    if explained_variance_pct is not None and not is_missing(explained_variance_pct):
        sentences.append(PHRASES["pca_explained"].format(
            share=format_number(explained_variance_pct, 0) + " procent"))
    synthetic_periods = [format_period(p) for p, score, flag in zip(periods, scores, flags)
                         if flag and not is_missing(score)]
    if synthetic_periods:
        key = "pca_synthetic_one" if len(synthetic_periods) == 1 else "pca_synthetic_many"
        sentences.append(PHRASES[key].format(periods=join_sv(synthetic_periods)))
    return " ".join(finish(s) for s in sentences)


def _year_phrase(period: object) -> str:
    """"år 2023" or "perioden 2014–2017" (at the start of a sentence)."""
    text = format_period(period)
    return f"perioden {text}" if _SPAN_RE.search(text) else f"år {text}"


def _period_sort_key(period: object) -> tuple[int, int]:
    years = [int(y) for y in re.findall(r"\d{4}", str(period))]
    return (years[0], years[-1]) if years else (0, 0)


# --- correlation -----------------------------------------------------------------------

def describe_correlation(r: float | None, name_a: str | None = None, name_b: str | None = None, *,
                         p_value: float | None = None, decimals: int = 2,
                         is_synthetic: bool = False, ci: tuple[float, float] | None = None) -> str:
    """Strength and sign of a correlation in words, with r in Swedish format.

    |r| < 0,1 none, < 0,3 weak, < 0,5 moderate, otherwise strong. A 95 % interval ``ci``
    that spans zero (or p ≥ 0,05) gives "inget säkert samband" and no strength word.

    >>> describe_correlation(-0.38)
    'Det finns ett måttligt negativt samband (r = −0,38).'
    """
    if is_missing(r):
        return finish(PHRASES["corr_missing"])
    r = float(r)
    if not -1.0 <= r <= 1.0:
        raise ValueError(f"a correlation lies between -1 and 1, got {r}")
    uncertain = (ci is not None and ci[0] <= 0 <= ci[1]) or is_significant(p_value) is False
    if uncertain and ci is not None and name_a and name_b:
        return finish(PHRASES["corr_uncertain"].format(
            a=lower_first(make_subject(name_a)), b=lower_first(make_subject(name_b)),
            r=mark_synthetic(format_number(r, decimals), is_synthetic),
            low=format_number(ci[0], decimals), high=format_number(ci[1], decimals)))
    rounded_r = float(format_number(r, decimals).replace(MINUS, "-").replace(",", "."))
    strength = next(text for bound, text in CORRELATION_STRENGTHS if abs(rounded_r) >= bound)
    strength = strength.format(sign=CORRELATION_SIGNS.get(_sign(r), ""))
    r_text = mark_synthetic(format_number(r, decimals), is_synthetic)
    if name_a and name_b:
        sentence = PHRASES["corr"].format(strength=strength, a=lower_first(make_subject(name_a)),
                                          b=lower_first(make_subject(name_b)), r=r_text)
    else:
        sentence = PHRASES["corr_unnamed"].format(strength=strength, r=r_text)
    if uncertain and abs(rounded_r) >= CORRELATION_STRENGTHS[-2][0]:
        strength = "inget säkert samband"
        sentence = (PHRASES["corr"].format(strength=strength, a=lower_first(make_subject(name_a)),
                                           b=lower_first(make_subject(name_b)), r=r_text)
                    if name_a and name_b else
                    PHRASES["corr_unnamed"].format(strength=strength, r=r_text))
    return finish(sentence)


# --- summary page ----------------------------------------------------------------------

def describe_dimension_strengths(strengths: Sequence[str], weaknesses: Sequence[str], *,
                                 owner: str = "Länets") -> str:
    """The län's strongest and weakest METRIC dimensions in one sentence.

    >>> describe_dimension_strengths(["Humankapital", "FoU"], ["Marknader"])
    'Länets styrkor finns inom humankapital och FoU, medan svagheterna främst gäller marknader.'
    """
    strong = join_sv([lower_first(s) for s in strengths])
    weak = join_sv([lower_first(w) for w in weaknesses])
    if strong and weak:
        key = "strengths_and_weaknesses"
    elif strong:
        key = "strengths_only"
    elif weak:
        key = "weaknesses_only"
    else:
        key = "no_strengths_or_weaknesses"
    return finish(PHRASES[key].format(owner=owner, strengths=strong, weaknesses=weak))


def describe_synthetic_share(share_observed: float) -> str:
    """How much of the report rests on observed values (``share_observed`` is 0..1).

    >>> describe_synthetic_share(0.38)
    '38 procent av värdena är observerade; resten är syntetiska (framräknade av ecoreport) och ska inte läsas som fakta om länet.'
    """
    if is_missing(share_observed) or not 0.0 <= float(share_observed) <= 1.0:
        raise ValueError(f"share_observed must be a fraction between 0 and 1, got {share_observed!r}")
    share = float(share_observed)
    if share == 1.0:
        return finish(PHRASES["all_observed"])
    if share == 0.0:
        return finish(PHRASES["none_observed"])
    percent = share * 100
    # Never round a mixed report to "0" or "100 procent": that would hide or deny the synthetic part.
    if format_number(percent, 0) == "0":
        share_text = "Under 1 procent"
    elif format_number(percent, 0) == "100":
        share_text = "Över 99 procent"
    else:
        share_text = f"{format_number(percent, 0)} procent"
    return finish(PHRASES["share_observed"].format(share=share_text))


def significant_figures(value: float, digits: int = 3) -> str:
    """``value`` rounded to ``digits`` significant figures, Swedish format (42 126,8 → 42 100)."""
    if is_missing(value) or value == 0:
        return format_number(0 if not is_missing(value) else value, 0)
    magnitude = int(math.floor(math.log10(abs(value))))
    decimals = max(digits - 1 - magnitude, 0)
    return format_number(round(float(value), digits - 1 - magnitude), decimals)


def describe_axis(supported: bool, p_value: float, region_short: str, *,
                  component: str = "", share: float | None = None, side: str = "middle",
                  rank: int | None = None, n_regions: int | None = None,
                  position: float | None = None, low: float | None = None,
                  high: float | None = None) -> str:
    """The tested research–market axis and the län's side on it (see ``analysis.axis``)."""
    p_text = "< 0,001" if p_value < 0.001 else format_number(p_value, 3)
    if not supported:
        return finish(PHRASES["axis_unsupported"].format(p=p_text, region=region_short))
    sentences = [PHRASES["axis_supported"].format(
        component="den " + {"PC1": "första", "PC2": "andra", "PC3": "tredje"}.get(
            component, component) + " komponenten",
        p=p_text, share=format_number(100 * share, 0) + " procent")]
    if rank is not None:
        sentences.append(PHRASES[f"axis_{side}"].format(
            region=region_short, rank=rank, n=n_regions,
            position=significant_figures(position, 2), low=significant_figures(low, 2),
            high=significant_figures(high, 2)))
    return " ".join(finish(s) for s in sentences)


DRIFT_MIN_OBSERVED = 0.5  # below this observed share of the indices, no drift is claimed


def describe_drift(claim: str, slope: float, low: float, high: float, first: object,
                   last: object, observed_share: float | None = None) -> str:
    """The trend of (market index − research index): a tested drift or none.

    ``observed_share`` (0–1) is how much of the indices rests on observed values; below
    ``DRIFT_MIN_OBSERVED`` the trend is a property of the synthetic values and no drift is
    claimed, whatever the test says.
    """
    synthetic = observed_share is not None and observed_share < DRIFT_MIN_OBSERVED
    pct = (None if observed_share is None
           else format_percent(100 * observed_share, 0, style="word"))
    signed = claim == "significant" and not synthetic
    fields = dict(first=format_period(first), last=format_period(last), pct=pct,
                  slope=significant_figures(abs(slope) if signed else slope, 2),
                  low=significant_figures(low, 2), high=significant_figures(high, 2))
    if synthetic:
        return finish(PHRASES["drift_synthetic"].format(**fields))
    if signed:
        text = finish(PHRASES["drift_market" if slope > 0 else "drift_research"].format(**fields))
    elif claim == "indicative":
        text = finish(PHRASES["drift_indicative"].format(**fields))
    else:
        text = finish(PHRASES["drift_none"].format(**fields))
    return text if pct is None else f"{text} {finish(PHRASES['drift_observed'].format(**fields))}"


def describe_too_few_findings(n_findings: int, shortfall: dict[str, int]) -> str:
    """Why the summary names fewer than three findings (``findings.Findings.shortfall``)."""
    reasons = []
    if shortfall.get("synthetic_ranks"):
        reasons.append(PHRASES["reason_synthetic_ranks"].format(n=shortfall["synthetic_ranks"]))
    if shortfall.get("synthetic_trends"):
        reasons.append(PHRASES["reason_synthetic_trends"].format(n=shortfall["synthetic_trends"]))
    if not shortfall.get("significant_trends"):
        reasons.append(PHRASES["reason_no_trends"])
    text = PHRASES["too_few_findings"].format(n=n_findings)
    if reasons:
        text += ": " + join_sv(reasons)
    return finish(text)


def describe_finding(finding, name_sv: str, region_short: str, unit: str, *,
                     proper_name: bool = False) -> str:
    """One sentence for a ``findings.Finding`` (numbers to three significant figures)."""
    if finding.kind in ("strength", "weakness"):
        value = format_unit_number(significant_figures(finding.value_normalised), unit)
        return finish(PHRASES[f"finding_{finding.kind}"].format(
            region=region_short, rank=finding.rank, n=finding.n_ranked,
            name_lower=name_in_sentence(make_subject(name_sv), proper_name),
            period=format_period(finding.period), value=value))
    direction = "uppåtgående" if finding.slope > 0 else "nedåtgående"
    return finish(PHRASES["finding_improvement"].format(
        subject=make_subject(name_sv), direction=direction,
        first=format_period(finding.from_period), last=format_period(finding.period),
        slope=significant_figures(finding.slope, 2), unit=unit,
        low=significant_figures(finding.slope_ci_low, 2),
        high=significant_figures(finding.slope_ci_high, 2)))


def describe_unavailable(name_sv: str, *, proper_name: bool = False) -> str:
    """The sentence used when an indicator has no data for the län."""
    return finish(PHRASES["missing"].format(
        name_lower=name_in_sentence(make_subject(name_sv), proper_name)))


__all__ = [
    "PHRASES", "CORRELATION_STRENGTHS", "DEFINITE_FORMS", "SIGNIFICANCE_LEVEL",
    "RELATIVE_TOLERANCE", "VARIANTS", "phrase", "capitalize_first", "lower_first",
    "name_in_sentence", "make_subject", "join_sv",
    "mark_synthetic", "classify_change", "describe_change", "describe_trend", "describe_rank",
    "describe_vs_reference", "describe_pca_position", "describe_correlation",
    "describe_dimension_strengths", "describe_synthetic_share", "describe_unavailable",
    "is_significant", "significant_figures", "describe_axis", "describe_drift", "describe_finding", "describe_too_few_findings",
]
