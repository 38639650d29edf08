"""Run the nlq evaluation: every question through the real ``askCampaignPerformance``, every expected answer
from the source databases, one verdict per question, a per-category table for the dev and held-out parts.

The tool is called in-process: the sales MCP server's tool function itself (``promptsales.sales.mcp``), as a
caller holding ``sales:read``, on the analyst pool of the warehouse — the same code path as an MCP call
without the transport and without the Redis cache (every call parses and queries).

Verdicts: ``correct``; ``refused`` (a question that must be refused, refused for one of its reason classes);
``other-reason`` (refused, but for another reason — right only by accident); ``wrong-refusal`` (an
answerable question refused, or a tool error); ``silent-wrong`` (an answer whose rows differ from the
expected ones, or an answer to a question that must be refused).

Command line (against the data directory of the current settings, e.g. after ``promptsales up`` and
``promptsales seed``)::

    python tests/nlq_eval/nlq_eval_run.py [--split dev|heldout|all] [--etl] [--failures] [--write-docs]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from nlq_eval_cases import SPLITS, Case, load_cases
from nlq_eval_compare import compare_change, compare_rows
from nlq_eval_expected import SourceReader, Table, expected_answers
from nlq_eval_words import unaccounted_words

from promptsales.config import Settings

VERDICTS = ("correct", "refused", "wrong-refusal", "silent-wrong", "other-reason")
HEADINGS = {
    "correct": "correct",
    "refused": "correctly refused",
    "wrong-refusal": "wrong refusal",
    "silent-wrong": "silent wrong",
    "other-reason": "refused, other reason",
}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "nlq.md"
DOCS_START = "<!-- nlq-eval:start (written by tests/nlq_eval/nlq_eval_run.py --write-docs) -->"
DOCS_END = "<!-- nlq-eval:end -->"
CALLER = "nlq-eval"


@dataclass
class Result:
    """The verdict on one question."""

    case: Case
    question: str
    verdict: str
    detail: str
    seconds: float
    answer: dict | None
    unaccounted: list[str] = field(default_factory=list)

    @property
    def good(self) -> bool:
        """Correct, or correctly refused."""
        return self.verdict in ("correct", "refused")


@dataclass
class Evaluation:
    """Every result, and where the time went."""

    results: list[Result]
    expected_seconds: float
    tool_seconds: float
    parsers: Counter
    degenerate: list[str]


def ask(question: str, case: Case) -> tuple[dict | None, str, float]:
    """The tool's answer as JSON (None on an error, with its message) and the call's wall time."""
    from promptsales.caller import acting_as
    from promptsales.sales.mcp import askCampaignPerformance

    with acting_as(CALLER, ["sales:read"]):
        started = time.perf_counter()
        try:
            answer = askCampaignPerformance(question=question, as_of=case.intent.as_of)
        except Exception as error:  # a tool error is a verdict, not a crash of the evaluation
            return None, f"{type(error).__name__}: {error}", time.perf_counter() - started
        return answer.model_dump(mode="json"), "", time.perf_counter() - started


def judge(case: Case, answer: dict | None, error: str, tables: list[Table]) -> tuple[str, str]:
    """(verdict, detail) of one answer against the intent's expected tables or refusal classes."""
    intent = case.intent
    if intent.must_refuse:
        if answer is None:
            return "other-reason", f"tool error instead of a {'/'.join(intent.refuse)} refusal: {error}"
        if answer.get("answerable"):
            return "silent-wrong", f"answered a question that must be refused ({'/'.join(intent.refuse)})"
        reason = answer.get("refusal")
        if reason in intent.refuse:
            return "refused", reason
        return "other-reason", f"refused as {reason!r}, expected {'/'.join(intent.refuse)}"
    if answer is None:
        return "wrong-refusal", f"tool error: {error}"
    if not answer.get("answerable"):
        return "wrong-refusal", f"refused ({answer.get('refusal')}): {(answer.get('answer') or '')[:160]}"
    reasons = []
    for table in tables:
        if intent.rule.kind == "change":
            reason = compare_change(table, answer.get("rows") or [], answer.get("answer") or "", intent.rule)
        else:
            reason = compare_rows(table, answer.get("columns") or [], answer.get("rows") or [], intent.rule)
        if reason is None:
            return "correct", ""
        reasons.append(reason)
    note = f" (ignored: {answer.get('ignored')})" if answer.get("ignored") else ""
    return "silent-wrong", "; ".join(reasons) + note


def evaluate(settings: Settings, splits: tuple[str, ...] = SPLITS, cases: list[Case] | None = None) -> Evaluation:
    """Compute the expected answers from the sources, ask every question, judge every answer."""
    cases = cases if cases is not None else load_cases(splits)

    def compute_expected():
        reader = SourceReader(settings)
        try:
            return expected_answers(reader, {case.intent.id: case.intent for case in cases}.values())
        finally:
            reader.close()

    # The expected answers are SQL on the sources (waiting on PostgreSQL): computed in a thread while the
    # questions that name no bound brand are asked, the two overlap.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(compute_expected)
        asked = {}
        for index, case in enumerate(cases):
            if not case.intent.bind:
                question = case.text({})
                asked[index] = (question, *ask(question, case))
        expected = pending.result()
    for index, case in enumerate(cases):
        if case.intent.bind and expected.bindings.get(case.intent.id):
            question = case.text(expected.bindings[case.intent.id])
            asked[index] = (question, *ask(question, case))
    results, parsers = [], Counter()
    for index, case in enumerate(cases):
        if index not in asked:
            continue  # the data no longer holds the bound name: reported in ``degenerate``
        question, answer, error, seconds = asked[index]
        verdict, detail = judge(case, answer, error, expected.tables.get(case.intent.id, []))
        if answer:
            parsers[answer.get("parsed_by")] += 1
        unaccounted = unaccounted_words(question, answer)
        results.append(Result(case, question, verdict, detail, seconds, answer, unaccounted))
    tool_seconds = sum(result.seconds for result in results)  # the questions' own time, not the overlap
    return Evaluation(results, expected.seconds, tool_seconds, parsers, expected.degenerate())


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (inclusive method), 0 for no values."""
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def _row(label: str, results: list[Result]) -> str:
    counts = Counter(r.verdict for r in results)
    latencies = [r.seconds * 1000 for r in results]
    good = sum(1 for r in results if r.good)
    share = f"{100 * good / len(results):.1f} %" if results else "–"
    cells = [label, str(len(results)), *(str(counts[v]) for v in VERDICTS), share]
    cells += [f"{percentile(latencies, 0.5):.0f}", f"{percentile(latencies, 0.95):.0f}"]
    return "| " + " | ".join(cells) + " |"


def report(evaluation: Evaluation) -> str:
    """The per-category table, dev and held-out apart, as Markdown."""
    header = ["category", "questions", *(HEADINGS[v] for v in VERDICTS), "correct or correctly refused"]
    header += ["p50 ms", "p95 ms"]
    lines = []
    for split in SPLITS:
        part = [r for r in evaluation.results if r.case.intent.split == split]
        if not part:
            continue
        lines += [f"**{'Held-out' if split == 'heldout' else 'Dev'} part**", ""]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for category in sorted({r.case.intent.category for r in part}):
            lines.append(_row(category, [r for r in part if r.case.intent.category == category]))
        for lang in ("en", "es"):
            lines.append(_row(f"*{lang}*", [r for r in part if r.case.lang == lang]))
        lines += [_row(f"**all {split}**", part), ""]
    everything = evaluation.results
    unaccounted = sum(1 for r in everything if r.unaccounted)
    if evaluation.degenerate:
        lines.append(
            f"Intents whose expected answer is empty or NULL in this data: {', '.join(evaluation.degenerate)}."
        )
    lines.append(
        f"All {len(everything)} questions: {sum(r.verdict == 'silent-wrong' for r in everything)} silent wrong; "
        f"{unaccounted} answers with unaccounted content words; expected answers from the sources in "
        f"{evaluation.expected_seconds:.1f} s, tool calls (in-process, no cache) {evaluation.tool_seconds:.1f} s; "
        "parsed by "
        + ", ".join(f"{name} ({count})" for name, count in sorted(evaluation.parsers.items(), key=lambda i: str(i[0])))
        + "."
    )
    return "\n".join(lines)


def failures(evaluation: Evaluation, splits: tuple[str, ...] = ("dev",)) -> str:
    """One line per question that is not right (only the given parts: held-out questions stay unseen)."""
    lines = []
    for r in evaluation.results:
        if r.case.intent.split in splits and (not r.good or r.unaccounted):
            words = f" [unaccounted: {', '.join(r.unaccounted)}]" if r.unaccounted else ""
            lines.append(f"{r.case.id} {r.verdict}: {r.question!r} — {r.detail}{words}")
    return "\n".join(lines)


def expected_tables(settings: Settings, splits: tuple[str, ...], category: str) -> str:
    """Each intent of one category with its bound names and the first rows of its expected tables."""
    intents = {c.intent.id: c.intent for c in load_cases(splits) if c.intent.category == category}
    reader = SourceReader(settings)
    try:
        expected = expected_answers(reader, intents.values())
    finally:
        reader.close()
    lines = []
    for intent_id in intents:
        lines.append(f"{intent_id} bind={expected.bindings.get(intent_id, {})}")
        for number, table in enumerate(expected.tables.get(intent_id, [])):
            lines.append(f"  reading {number}: {table.columns} ({len(table.rows)} rows) {list(table.rows[:5])}")
    if expected.degenerate():
        lines.append(f"DEGENERATE (empty, NULL or unbound): {', '.join(expected.degenerate())}")
    return "\n".join(lines)


def write_docs(markdown: str, path: Path = DOCS) -> None:
    """Put the report in its own section of docs/nlq.md (replaced between markers; appended the first time)."""
    text = path.read_text(encoding="utf-8")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=path.parent, capture_output=True, text=True, check=False
    ).stdout.strip()
    stamp = f"Run of {date.today().isoformat()} at commit {commit or 'unknown'}, official seed.\n\n"
    block = f"{DOCS_START}\n{stamp}{markdown}\n{DOCS_END}"
    if DOCS_START in text and DOCS_END in text:
        before, rest = text.split(DOCS_START, 1)
        after = rest.split(DOCS_END, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n## Evaluation figures (tests/nlq_eval)\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command line: run the evaluation against the current settings' databases and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument("--etl", action="store_true", help="run one ETL pass first (warehouse up to the sources)")
    parser.add_argument("--failures", action="store_true", help="list the dev questions that are not right")
    parser.add_argument("--write-docs", action="store_true", help="write the table into docs/nlq.md")
    parser.add_argument(
        "--expected-only",
        metavar="CATEGORY",
        help="print the expected answers of one category's intents (from the sources) and ask no question: "
        "how a question writer checks new SQL without running the tool",
    )
    args = parser.parse_args(argv)
    from promptsales.config import get_settings

    settings = get_settings()
    if args.etl:
        from promptsales.etl.engine import run_pass
        from promptsales.etl.sources import Sources

        print("ETL pass:", run_pass(Sources(settings), trigger="nlq-eval").status)
    splits = SPLITS if args.split == "all" else (args.split,)
    if args.expected_only:
        print(expected_tables(settings, splits, args.expected_only))
        return 0
    evaluation = evaluate(settings, splits)
    markdown = report(evaluation)
    print(markdown)
    if args.failures:
        print("\n" + failures(evaluation))
    if args.write_docs:
        write_docs(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
