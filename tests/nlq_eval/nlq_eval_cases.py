"""The evaluation's questions: loaded from ``dev/*.yaml`` and ``heldout/*.yaml`` (format in README.md).

The split is fixed by rule and checked here: intent number ``n`` of a category (``ratio-07`` → 7) belongs to
the held-out part when ``n % 3 == 0``, to the dev part otherwise. Whole intents move together, so a
paraphrase seen while developing never gives away a held-out question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SPLITS = ("dev", "heldout")
SOURCES = ("ads", "crm", "sales")
REFUSAL_CLASSES = ("privacy", "read-only", "forecast", "out-of-scope", "not-understood", "unknown-name", "grain")
INTENT_ID = re.compile(r"(?P<category>[a-z_]+)-(?P<number>\d+)")


def split_of(intent_id: str) -> str:
    """The part an intent belongs to by the fixed rule: its number divisible by 3 → held-out."""
    match = INTENT_ID.fullmatch(intent_id)
    if not match:
        raise ValueError(f"intent id {intent_id!r} is not <category>-<number>")
    return "heldout" if int(match["number"]) % 3 == 0 else "dev"


@dataclass(frozen=True)
class Query:
    """One SQL statement over one source database (``ads`` = PromptAds, ``crm`` = PromptCRM, ``sales`` = portal)."""

    source: str
    sql: str


@dataclass(frozen=True)
class Rule:
    """How an answer's table is compared with the expected one.

    ``keys``: groups of expected columns that identify a row (any column of a group may match an answer
    column: an id or a name); ``order``: the row order matters; ``rel``/``abs``: numeric tolerance;
    ``percent``: columns the answer may give as a fraction or as a percentage; ``kind``: ``rows`` or
    ``change`` (two periods, earlier first: both values and the signed relative change must be stated).
    """

    keys: tuple[tuple[str, ...], ...] = ()
    order: bool = False
    rel: float = 1e-3
    abs: float = 1e-6
    percent: tuple[str, ...] = ()
    kind: str = "rows"


@dataclass(frozen=True)
class Intent:
    """What a group of paraphrases asks, and its expected answer (queries) or refusal classes."""

    id: str
    category: str
    split: str
    description: str
    as_of: date
    queries: tuple[Query, ...] = ()
    rule: Rule = field(default_factory=Rule)
    refuse: tuple[str, ...] = ()
    bind: Query | None = None

    @property
    def must_refuse(self) -> bool:
        """True when every paraphrase must be refused."""
        return bool(self.refuse)


@dataclass(frozen=True)
class Case:
    """One question of the evaluation. ``question`` may name bound values (``{brand}``, ``{brand_plain}``)."""

    id: str
    lang: str
    question: str
    intent: Intent

    def text(self, bindings: dict) -> str:
        """The question as asked: bound names filled in (generated brand and campaign names change with the
        generator, so questions name them through the intent's ``bind`` query)."""
        return self.question.format_map(bindings) if self.intent.bind else self.question


def _rule(expect: dict) -> Rule:
    tolerance = expect.get("tolerance", {})
    return Rule(
        keys=tuple(tuple(group) for group in expect.get("keys", [])),
        order=bool(expect.get("order", False)),
        rel=float(tolerance.get("rel", 1e-3)),
        abs=float(tolerance.get("abs", 1e-6)),
        percent=tuple(expect.get("percent", [])),
        kind=expect.get("kind", "rows"),
    )


def _intent(raw: dict, category: str, split: str) -> Intent:
    expect = raw["expect"]
    bind = Query(raw["bind"]["source"], raw["bind"]["sql"]) if "bind" in raw else None
    if split_of(raw["id"]) != split:
        raise ValueError(f"{raw['id']} is in the {split} part; the split rule puts it in {split_of(raw['id'])}")
    if not raw["id"].startswith(f"{category}-"):
        raise ValueError(f"{raw['id']} is filed under category {category}")
    refuse = tuple(expect.get("refuse", ()))
    if refuse:
        unknown = set(refuse) - set(REFUSAL_CLASSES)
        if unknown:
            raise ValueError(f"{raw['id']}: unknown refusal classes {sorted(unknown)}")
        return Intent(
            raw["id"], category, split, raw["intent"], date.fromisoformat(str(raw["as_of"])), refuse=refuse, bind=bind
        )
    queries = [Query(expect["source"], expect["sql"])]
    queries += [Query(alt["source"], alt["sql"]) for alt in expect.get("alternatives", [])]
    for query in queries:
        if query.source not in SOURCES:
            raise ValueError(f"{raw['id']}: unknown source {query.source!r}")
    return Intent(
        raw["id"],
        category,
        split,
        raw["intent"],
        date.fromisoformat(str(raw["as_of"])),
        tuple(queries),
        _rule(expect),
        bind=bind,
    )


def load_cases(splits: tuple[str, ...] = SPLITS, root: Path = HERE) -> list[Case]:
    """Every question of the given parts, in file order; checks ids are unique and the split rule holds."""
    cases: list[Case] = []
    seen: set[str] = set()
    for split in splits:
        for path in sorted((root / split).glob("*.yaml")):
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
            if document["split"] != split:
                raise ValueError(f"{path} says split {document['split']!r}")
            for raw in document["intents"]:
                intent = _intent(raw, document["category"], split)
                for question in raw["questions"]:
                    if question["id"] in seen or not question["id"].startswith(f"{intent.id}-"):
                        raise ValueError(f"{path}: question id {question['id']!r} repeated or not under {intent.id}")
                    seen.add(question["id"])
                    cases.append(Case(question["id"], question["lang"], question["q"], intent))
    return cases
