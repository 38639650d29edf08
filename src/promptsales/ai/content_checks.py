"""Automatic checks of generated campaign messages (SPEC I1, G4; issue 18, deliverable 6), whichever generator
wrote them (the local template generator or an OpenAI-compatible model):

* **language** — the message is in the audience's language (:func:`brief_language`: the language the audience
  is written in, else the campaign's, else English);
* **product** — the message names the product: at least two thirds of the content words of the product
  (given, or the campaign's subject: its text up to the first stop, colon, dash or comma), compared by stem;
* **audience** — the message names the audience the same way;
* **numbers and claims** — every number in the message appears in the brief (campaign, audience, product),
  and every claim word ("best", "guaranteed", "free", "#1", "mejor", "gratis"…) too.

:func:`verdict` turns the checks of one generation into the AI-usage row's validation (G4): ``accepted`` when
every message passes, else ``rejected`` with what failed (the messages are kept for the human review every
proposal goes through, G3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from promptsales.ai.language import detect_language, function_words
from promptsales.ai.stemming import stem

#: Words that state a claim the brief must make first (English: whole words; Spanish: stems).
CLAIMS: dict[str, tuple[str, ...]] = {
    "en": (
        "best", "#1", "number one", "guarantee", "guaranteed", "free", "cheapest", "lowest", "proven", "clinically",
        "award", "risk-free", "unbeatable", "miracle", "cure", "only one", "100%", "certified", "official",
    ),
    "es": (
        "mejor", "#1", "número uno", "numero uno", "garantiz", "garantía", "garantia", "gratis", "gratuit",
        "más barat", "mas barat", "comprobad", "clínicamente", "clinicamente", "premiad", "inigualable", "milagr",
        "cura", "100%", "certificad", "oficial",
    ),
}  # fmt: skip
METHOD = (
    "automatic output checks per message: language = the audience's (function words, Spanish marks); product "
    "and audience named (two thirds of their content words, by stem); every number and claim word also in the "
    "brief; plus exactly 3 non-empty messages of at most 280 characters"
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SUBJECT_END = re.compile(r"[.:;,!?(\u2014\u2013]| - ")


@dataclass
class MessageCheck:
    """The verdict on one message."""

    text: str
    language: str | None
    expected_language: str
    product_named: bool
    audience_named: bool
    unsupported_numbers: list[str] = field(default_factory=list)
    unsupported_claims: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[str]:
        """What failed, in words (empty when the message passes)."""
        failed = []
        if self.language != self.expected_language:
            failed.append(f"language {self.language or 'undecided'} instead of {self.expected_language}")
        if not self.product_named:
            failed.append("product not named")
        if not self.audience_named:
            failed.append("audience not named")
        failed += [f"number {n!r} not in the brief" for n in self.unsupported_numbers]
        failed += [f"claim {c!r} not in the brief" for c in self.unsupported_claims]
        return failed

    @property
    def passed(self) -> bool:
        """True when every check passes."""
        return not self.failures


def brief_language(audience: str, campaign: str) -> str:
    """The language messages for ``audience`` must be in: the audience's own, else the campaign's, else English."""
    return detect_language(audience) or detect_language(campaign) or "en"


def product_of(campaign: str) -> str:
    """The campaign's subject, taken as the product when none is given: its text up to the first stop, colon,
    dash or comma."""
    return _SUBJECT_END.split(campaign.strip(), maxsplit=1)[0].strip()


def check_message(text: str, *, campaign: str, audience: str, product: str | None = None) -> MessageCheck:
    """Check one generated message against its brief."""
    expected = brief_language(audience, campaign)
    product = product or product_of(campaign)
    brief = " ".join((campaign, audience, product))
    brief_numbers = {_plain_number(n) for n in _NUMBER.findall(brief)}
    lowered_brief, lowered = brief.lower(), text.lower()
    return MessageCheck(
        text=text,
        language=detect_language(text),
        expected_language=expected,
        product_named=_named(product, text, expected),
        audience_named=_named(audience, text, expected),
        unsupported_numbers=[n for n in _NUMBER.findall(text) if _plain_number(n) not in brief_numbers],
        unsupported_claims=[
            claim
            for claim in CLAIMS[expected]
            if _has_claim(lowered, claim, expected) and not _has_claim(lowered_brief, claim, expected)
        ],
    )


def scene_is_safe(scene: str, language: str, campaign: str) -> bool:
    """Whether a retrieved media scene may go into a message for ``campaign`` in ``language``: written in that
    language and adding no number or claim the campaign does not make."""
    if detect_language(scene, language) != language:
        return False
    check = check_message(scene, campaign=campaign, audience="", product="")
    return not check.unsupported_numbers and not check.unsupported_claims


def verdict(checks: list[MessageCheck]) -> tuple[str, str | None]:
    """(validation outcome, what failed) of one generation's messages for the AI-usage row."""
    failed = [f"message {i}: {', '.join(c.failures)}" for i, c in enumerate(checks, start=1) if not c.passed]
    return ("rejected", "; ".join(failed)) if failed else ("accepted", None)


def _named(phrase: str, text: str, language: str) -> bool:
    wanted = _stems(phrase, language)
    if not wanted:
        return True
    found = _stems(text, language)
    return len(wanted - found) <= len(wanted) // 3


def _stems(text: str, language: str) -> set[str]:
    snowball = "spanish" if language == "es" else "english"
    ignored = function_words("es") | function_words("en")
    return {stem(w, snowball) for w in _WORD.findall(text.lower()) if w not in ignored and len(w) > 1}


def _has_claim(text: str, claim: str, language: str) -> bool:
    """English claims are whole words; Spanish ones are stems (any ending)."""
    if not claim[0].isalnum():
        return claim in text
    end = "" if language == "es" else r"(?!\w)"
    return re.search(rf"(?<!\w){re.escape(claim)}{end}", text) is not None


def _plain_number(number: str) -> str:
    return number.replace(",", "").replace(".", "")
