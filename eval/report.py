"""Write an eval result as ``report.md``, ``report.json`` and a chart, and print the short table."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Mapping, Sequence, TextIO

from eval.errors import EvalError

__all__ = ["HEADLINE", "fmt", "write_report", "print_summary", "markdown", "chart", "corpus_table", "publish"]

# The metrics the terminal table and the report lead with, in order.
HEADLINE = (
    "pass_rate", "hit_at_1", "hit_at_5", "mrr", "fact_recall", "cites_gold_source", "citation_recall",
    "citation_precision", "quote_integrity", "abstention_precision", "abstention_recall",
    "false_abstention_rate", "removed_share", "latency_p50_ms", "latency_p95_ms",
)
CHART_METRICS = ("pass_rate", "fact_recall", "citation_recall", "hit_at_5")


def fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3f}"
    return str(value)


def _table(header: Sequence[str], rows: Sequence[Sequence]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(fmt(c) if not isinstance(c, str) else c for c in row) + " |" for row in rows]
    return out


def _judge_lines(judge: Mapping) -> list[str]:
    splits = judge.get("splits", {})
    rows = [[name, s["n"], s["accuracy"], s["balanced_accuracy"], s["precision"], s["recall"]]
            for name, s in splits.items()]
    lines = ["## Support judge validation", "",
             f"`rag.supports` on the labelled pairs in `{Path(judge.get('pairs', '')).name}` "
             "(\"heldout\" was not looked at while the judge was tuned).", ""]
    lines += _table(["split", "pairs", "accuracy", "balanced acc.", "precision", "recall"], rows)
    errors = judge.get("errors", [])
    if errors:
        lines += ["", f"Misjudged pairs ({len(errors)}):", ""]
        lines += [f"- `{e['id']}` ({e['split']}, {e['kind']}): gold {'supported' if e['supported'] else 'unsupported'}, "
                  f"judged {'supported' if e['judged'] else 'unsupported'} — {e['reason']} — “{e['sentence']}”"
                  for e in errors]
    return lines + [""]


def corpus_table(result: Mapping) -> list[str]:
    """One table, a row per question kind and one for all: what ``--publish`` writes into a doc."""
    cols = ["pass_rate", "hit_at_5", "mrr", "fact_recall", "citation_recall", "citation_precision",
            "quote_integrity", "abstention_recall", "false_abstention_rate", "latency_p95_ms"]
    rows = [[k, s["questions"], *(s.get(c) for c in cols)] for k, s in (result.get("by_kind") or {}).items()]
    rows.append(["**all**", result["summary"]["questions"], *(result["summary"].get(c) for c in cols)])
    when = (result.get("config") or {}).get("date", "")
    return [f"`rag eval` on the gold questions ({result.get('config', {}).get('answers', '')}, {when}):", "",
            *_table(["kind", "n", *(c.replace("_", " ") for c in cols)], rows)]


def markdown(result: Mapping) -> str:
    """The whole report as Markdown."""
    lines = [f"# rag eval — {result.get('title', 'corpus')}", ""]
    for key, value in (result.get("config") or {}).items():
        lines.append(f"- {key}: `{value}`")
    lines.append("")
    missed = result.get("missed", [])
    lines += [f"**Thresholds ({result.get('thresholds_file', '')}): "
              + ("all met**" if not missed else f"{len(missed)} missed**"), ""]
    lines += [f"- missed: {m}" for m in missed] + ([""] if missed else [])
    if "table" in result:  # a benchmark supplies its own table
        lines += list(result["table"]) + [""]
    summary = result.get("summary")
    if summary:
        lines += ["## Summary", ""]
        lines += _table(["metric", "value"], [[k, summary.get(k)] for k in HEADLINE if k in summary])
        lines.append("")
    if result.get("reliability"):
        lines += ["## Reliability (confidence against accuracy)", "", "![reliability curve](reliability.png)", ""]
        lines += _table(["confidence", "questions", "mean confidence", "answered right"],
                        [[b["bin"], b["n"], b["mean_confidence"], b["accuracy"]] for b in result["reliability"]])
        lines.append("")
    kinds = result.get("by_kind") or {}
    if kinds:
        cols = ["pass_rate", "hit_at_5", "fact_recall", "citation_recall", "abstention_recall", "latency_p95_ms"]
        lines += ["## By question kind", "", "![metrics per kind](chart.png)", ""]
        lines += _table(["kind", "n", *cols], [[k, s["questions"], *(s.get(c) for c in cols)] for k, s in kinds.items()])
        lines.append("")
    if result.get("llm_judge"):
        lj = result["llm_judge"]
        lines += ["## LLM judge (reported separately)", "", f"- model: `{lj.get('model')}`",
                  f"- sentences judged: {lj.get('sentences')}",
                  f"- supported by the LLM judge: {fmt(lj.get('supported_share'))}",
                  f"- agreement with `rag.supports`: {fmt(lj.get('agreement'))}", ""]
    if result.get("judge"):
        lines += _judge_lines(result["judge"])
    failed = [q for q in result.get("questions", []) if not q.get("passed")]
    lines += [f"## Failed questions ({len(failed)} of {len(result.get('questions', []))})", ""]
    for q in failed:
        facts = " AND ".join("(" + " | ".join(g) + ")" for g in q.get("gold_facts") or []) or "—"
        lines += [f"### {q['id']} ({q['kind']}): {q['question']}", "",
                  f"- why: {'; '.join(q.get('failures') or [])}",
                  f"- gold facts: {facts}" if q.get("answerable") else "- gold: should abstain",
                  f"- answer given: {q.get('answer_text') or '(none)'}"]
        if q.get("citations"):
            lines.append(f"- citations: {'; '.join(q['citations'])}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def chart(by_kind: Mapping[str, Mapping], path: Path, metrics: Sequence[str] = CHART_METRICS) -> Path:
    """Grouped bars: each metric per question kind (missing values drawn as 0, labelled n/a)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    kinds = list(by_kind)
    width = 0.8 / len(metrics)
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(kinds) + 2), 4))
    for i, metric in enumerate(metrics):
        values = [by_kind[k].get(metric) for k in kinds]
        xs = [j + (i - (len(metrics) - 1) / 2) * width for j in range(len(kinds))]
        ax.bar(xs, [v or 0 for v in values], width, label=metric.replace("_", " "))
    ax.set_xticks(range(len(kinds)), kinds, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share")
    ax.legend(fontsize=8, ncol=len(metrics), loc="upper center", bbox_to_anchor=(0.5, 1.15))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def reliability_bins(rows: Sequence[Mapping], edges: Sequence[float] = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)) -> list[dict]:
    """Confidence against accuracy: per confidence bin, how many answers were given and how often they
    were right (the question is answerable and the answer contains a gold answer)."""
    out = []
    given = [r for r in rows if r.get("confidence") is not None and not r.get("abstained")]
    for lo, hi in zip(edges, edges[1:]):
        inside = [r for r in given if lo <= r["confidence"] < hi + (hi >= 1.0)]
        if inside:
            right = [bool(r["answerable"] and r["contains"]) for r in inside]
            out.append({"bin": f"{lo:.1f}–{hi:.1f}", "n": len(inside),
                        "mean_confidence": sum(r["confidence"] for r in inside) / len(inside),
                        "accuracy": sum(right) / len(right)})
    return out


def reliability_chart(bins: Sequence[Mapping], path: Path) -> Path:
    """The reliability curve: mean confidence per bin against how often those answers were right."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    ax.plot([0, 1], [0, 1], ls="--", c="grey", lw=1, label="perfectly calibrated")
    ax.plot([b["mean_confidence"] for b in bins], [b["accuracy"] for b in bins], marker="o", label="reader")
    for b in bins:
        ax.annotate(str(b["n"]), (b["mean_confidence"], b["accuracy"]), fontsize=7, xytext=(3, -9),
                    textcoords="offset points")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence (mean in bin)")
    ax.set_ylabel("share answered right")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(out_dir: str | Path, result: Mapping) -> dict[str, Path]:
    """Write report.md, report.json and (when there are kinds) chart.png into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "report.json", "md": out / "report.md"}
    paths["json"].write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    if result.get("by_kind"):
        paths["chart"] = chart(result["by_kind"], out / "chart.png")
    if result.get("reliability"):
        paths["reliability"] = reliability_chart(result["reliability"], out / "reliability.png")
    paths["md"].write_text(markdown(result), encoding="utf-8")
    return paths


def print_summary(result: Mapping, stream: TextIO) -> None:
    """The short table a terminal shows, then failed question ids and missed thresholds."""
    if "table" in result:
        print("\n".join(result["table"]), file=stream)
    summary = result.get("summary") or {}
    shown = [(k, summary[k]) for k in HEADLINE if summary.get(k) is not None]
    if shown:
        width = max(len(k) for k, _ in shown)
        for key, value in shown:
            print(f"  {key:<{width}}  {fmt(value)}", file=stream)
    judge = (result.get("judge") or {}).get("splits", {}).get("heldout")
    if judge:
        print(f"  judge (held-out pairs)  balanced accuracy {judge['balanced_accuracy']:.3f}, "
              f"precision {judge['precision']:.3f}, recall {judge['recall']:.3f}", file=stream)
    failed = [q for q in result.get("questions", []) if not q.get("passed")]
    if failed:
        print(f"failed questions ({len(failed)} of {len(result['questions'])}):", file=stream)
    for q in failed:
        answer = " ".join(str(q.get("answer_text") or "(none)").split())
        gold = (" AND ".join("(" + " | ".join(g) + ")" for g in q.get("gold_facts") or [])
                if q.get("answerable") else "abstain")
        print(f"  {q['id']} {q['kind']}: {q['question']}\n    why: {'; '.join(q.get('failures') or [])}"
              f"\n    gold: {gold}\n    answer: {answer[:200]}{'…' if len(answer) > 200 else ''}", file=stream)
    for line in result.get("missed", []):
        print(f"  threshold missed: {line}", file=stream)


def publish(lines: Sequence[str], doc: str | Path, name: str = "squad-table") -> None:
    """Replace the block between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` in ``doc``."""
    path = Path(doc)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        raise EvalError(f"{path} has no {start} ... {end} block to write the table into")
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    path.write_text(head + start + "\n" + "\n".join(lines) + "\n" + end + tail, encoding="utf-8")
