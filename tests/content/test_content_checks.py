"""Automatic checks of generated campaign messages (issue 18, deliverable 6): the language matches the audience,
the product and the audience are named, no number or claim that is not in the brief; the local generator stays
deterministic and passes them in English and Spanish. No database needed."""

from __future__ import annotations

from promptsales.ai.content_checks import brief_language, check_message, product_of, verdict
from promptsales.ai.textgen import LocalTemplateGenerator

CAMPAIGN = "Lightweight running shoes made from recycled ocean plastic, 20% off the first week."
AUDIENCE = "new parents"
GOOD = "Lightweight running shoes made from recycled ocean plastic for new parents: 20% off the first week."


def failures(text: str, **brief) -> list[str]:
    return check_message(text, **{"campaign": CAMPAIGN, "audience": AUDIENCE, **brief}).failures


def test_a_faithful_message_passes() -> None:
    assert failures(GOOD) == []
    assert product_of(CAMPAIGN) == "Lightweight running shoes made from recycled ocean plastic"


def test_wrong_language_is_caught() -> None:
    spanish = "Zapatillas ligeras de plástico reciclado del océano para padres primerizos, 20% de descuento."
    assert "language es instead of en" in failures(spanish)
    assert brief_language("mamás primerizas en México", CAMPAIGN) == "es"
    assert "language en instead of es" in failures(GOOD, audience="mamás primerizas en México")


def test_missing_product_or_audience_is_caught() -> None:
    assert failures("A new way to move, made for new parents. 20% off.") == ["product not named"]
    assert failures("Lightweight running shoes made from recycled ocean plastic, 20% off!") == ["audience not named"]
    assert failures("Our new headphones for new parents.", product="Noise-cancelling headphones")[:1] == [
        "product not named"
    ]


def test_invented_number_or_claim_is_caught() -> None:
    assert failures(GOOD.replace("20%", "50%")) == ["number '50' not in the brief"]
    assert failures(GOOD + " Free shipping, guaranteed.") == [
        "claim 'guaranteed' not in the brief",
        "claim 'free' not in the brief",
    ]
    assert failures(GOOD + " The best shoes in 3 colours.") == [
        "number '3' not in the brief",
        "claim 'best' not in the brief",
    ]
    # a claim the brief makes is allowed
    assert failures(GOOD + " Free returns.", campaign=CAMPAIGN + " Free returns.") == []


def test_verdict_for_the_usage_row() -> None:
    checks = [check_message(t, campaign=CAMPAIGN, audience=AUDIENCE) for t in (GOOD, GOOD.replace("20%", "30%"))]
    assert verdict(checks[:1]) == ("accepted", None)
    assert verdict(checks) == ("rejected", "message 2: number '30' not in the brief")


def test_local_generator_is_deterministic_and_passes_its_checks_in_both_languages() -> None:
    context = [
        "A runner on a beach at sunrise with 3 surfers behind her.",
        "A calm kitchen with a kettle on the stove.",
    ]
    for audience, language in (("new parents", "en"), ("padres primerizos en Bogotá", "es")):
        brief = {"campaign": CAMPAIGN, "audience": audience}
        first = LocalTemplateGenerator().generate("system", "prompt", context, 3, brief)
        assert first.texts == LocalTemplateGenerator().generate("system", "prompt", context, 3, brief).texts
        checks = [check_message(t, campaign=CAMPAIGN, audience=audience) for t in first.texts]
        assert verdict(checks) == ("accepted", None), [c.failures for c in checks]
        assert all(c.language == language for c in checks)
        assert not any("3 surfers" in t for t in first.texts)  # a scene adding a number is left out
