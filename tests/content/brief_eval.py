"""Judge getContent on the hand-written briefs (tests/content/briefs.py): which assets a person would accept
is computed from the stored scenes (the source of truth), then recall@5 and nDCG@10 of the ranking.

recall@5 = accepted assets among the first 5 / min(5, accepted assets); nDCG@10 with the graded gain
(1 + satisfied ``nice`` attributes) of each accepted asset, against the ideal ordering of all of them.
Used by tests/content/test_content_briefs.py and bench/content_briefs.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from briefs import BRIEFS, Brief


def scene_values(doc: dict) -> dict[str, str]:
    """The attribute values an asset really has: its scene (audio has no palette or format), plus its type."""
    values = dict(doc.get("scene") or doc["attributes"])
    values["media_type"] = doc["media_type"]
    return {k: v for k, v in values.items() if isinstance(v, str)}


def gain(brief: Brief, values: dict[str, str]) -> int:
    """0 when a person would not accept the asset for the brief, else 1 + the number of nice attributes met."""
    if any(values.get(name) not in accepted for name, accepted in brief.must.items()):
        return 0
    return 1 + sum(values.get(name) in accepted for name, accepted in brief.nice.items())


def judgements(brief: Brief, docs: Iterable[dict]) -> dict[str, int]:
    """Asset id → gain, for every asset a person would accept."""
    return {doc["_id"]: g for doc in docs if (g := gain(brief, scene_values(doc)))}


def recall_at(ranked: list[str], judged: dict[str, int], k: int = 5) -> float:
    """Accepted assets in the first ``k`` / the most that could be there."""
    return sum(1 for media_id in ranked[:k] if media_id in judged) / min(k, len(judged))


def ndcg_at(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain of the first ``k`` results."""
    dcg = sum(judged.get(media_id, 0) / math.log2(rank + 2) for rank, media_id in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    return dcg / sum(g / math.log2(rank + 2) for rank, g in enumerate(ideal))


@dataclass
class Score:
    """Mean figures over a set of briefs."""

    briefs: int
    recall_at_5: float
    ndcg_at_10: float
    misses: list[int]  # briefs with no accepted asset in the first 5


def evaluate(search: Callable[[str], list[str]], docs: list[dict], held_out: bool) -> Score:
    """Run every brief of one split through ``search`` (query → ranked ids, at least 10) and score it.

    A brief that no asset of the library satisfies is an error: the set must be rewritten, not skipped."""
    chosen = [b for b in BRIEFS if b.held_out == held_out]
    recalls, ndcgs, misses = [], [], []
    for brief in chosen:
        judged = judgements(brief, docs)
        if not judged:
            raise AssertionError(f"brief {brief.number} ({brief.text!r}) accepts no asset of this library")
        ranked = search(brief.text)
        recalls.append(recall_at(ranked, judged))
        ndcgs.append(ndcg_at(ranked, judged))
        if recalls[-1] == 0:
            misses.append(brief.number)
    return Score(len(chosen), sum(recalls) / len(chosen), sum(ndcgs) / len(chosen), misses)
