"""``rag eval`` (a ``rag.commands`` plugin) and ``python -m eval``.

Exit codes: 0 all thresholds met, 1 a threshold missed, 2 a usage error (one ``error:`` line).
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from eval.corpus_eval import load_answers, run_assistant, runs_from_answers, score_runs
from eval.errors import EvalError
from eval.gold import QUESTIONS_PATH, load_questions
from eval.judge_validation import validate_judge
from eval.report import corpus_table, print_summary, publish, write_report
from eval.scoring import CorpusFiles, check_thresholds
from rag import Assistant, RagError, Settings, resolve_llm, supports

__all__ = ["register", "run", "main", "load_thresholds", "THRESHOLDS_PATH", "DEFAULT_OUT", "SQUAD_DATA"]

HERE = Path(__file__).resolve().parent
THRESHOLDS_PATH = HERE / "thresholds.toml"
DEFAULT_OUT = Path("eval/reports/latest")
SQUAD_DATA = HERE.parent / ".." / "shared" / "bench" / "squad2-dev" / "dev-v2.0.json"


def register(subparsers, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``eval`` to the ``rag`` command line."""
    p = subparsers.add_parser(
        "eval", parents=[common], help="measure answer grounding on the gold questions or SQuAD 2.0",
        description="Run the assistant over a gold question set (or score answers made elsewhere), "
                    "write report.md/report.json/chart.png and exit 1 when a threshold is missed.",
    )
    p.add_argument("--dataset", choices=("corpus", "squad2-dev"), default="corpus",
                   help="corpus: the gold questions over --corpus (default); squad2-dev: the SQuAD 2.0 benchmark")
    p.add_argument("--questions", type=Path, default=QUESTIONS_PATH, help="gold questions (JSON lines)")
    p.add_argument("--answers", type=Path, help="score these answers (Answer.to_dict() + \"id\" per line) "
                                                "instead of running the assistant")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report directory (default %(default)s)")
    p.add_argument("--thresholds", type=Path, default=THRESHOLDS_PATH, help="thresholds file (TOML)")
    p.add_argument("--llm-judge", metavar="SPEC", help="also judge answer sentences with this LLM "
                                                      "('same' = the --llm model); reported separately")
    p.add_argument("--data", type=Path, default=SQUAD_DATA, help="SQuAD 2.0 dev JSON (for --dataset squad2-dev)")
    p.add_argument("--limit", type=int, help="SQuAD: ask at most N questions (a seeded sample)")
    p.add_argument("--seed", type=int, default=13, help="SQuAD: sample seed (default %(default)s)")
    p.add_argument("--no-baseline", action="store_true", help="SQuAD: skip the plain VectorStoreIndex baseline")
    p.add_argument("--publish", type=Path, metavar="DOC",
                   help="also write the results table into DOC between <!-- corpus-results:start/end --> "
                        "(or squad-table for SQuAD), e.g. docs/eval.md")
    p.add_argument("--typos", type=int, metavar="SEED",
                   help="ask the gold questions with one or two misspelt words each, made from SEED (eval/typos.py)")
    p.add_argument("--format", choices=("pdf", "docx", "html", "mixed"),
                   help="ask the gold set over the articles rendered as PDF, Word or web pages (or mixed)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
    return p


def load_thresholds(path: Path, section: str) -> dict[str, float]:
    """One section of the thresholds file; an EvalError line if it is missing or malformed."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalError(f"thresholds file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise EvalError(f"{path}: not valid TOML ({exc})") from None
    values = data.get(section, {})
    bad = [k for k, v in values.items() if not isinstance(v, (int, float)) or isinstance(v, bool)]
    if bad:
        raise EvalError(f"{path}: [{section}] {bad[0]} must be a number")
    return {k: float(v) for k, v in values.items()}


def _llm_for_judge(args, settings: Settings, assistant: Assistant | None):
    spec = args.llm_judge
    if spec == "same":
        if assistant is None or assistant.llm is None:
            raise EvalError("--llm-judge same needs --llm SPEC (and no --answers)")
        return assistant.llm, str(settings.llm)
    llm = resolve_llm(spec, base_url=settings.llm_base_url)
    if llm is None:
        raise EvalError(f"--llm-judge {spec!r} names no LLM")
    return llm, spec


def _rendered(args, settings: Settings, questions: list) -> tuple[list, Settings]:
    """The corpus rendered as ``--format`` in a temporary folder (removed at exit), and the gold
    questions moved onto it; the index lives there too."""
    import atexit
    import shutil
    import tempfile
    from dataclasses import replace

    from eval.formats import moved_questions, render_corpus

    if args.answers:
        raise EvalError("--format renders the corpus and asks it; it cannot score --answers")
    tmp = Path(tempfile.mkdtemp(prefix=f"rag-eval-{args.format}-"))
    atexit.register(shutil.rmtree, tmp, True)
    renamed = render_corpus(settings.corpus_dir, tmp / "corpus", args.format)
    moved = moved_questions(questions, settings.corpus_dir, tmp / "corpus", renamed)
    return moved, replace(settings, corpus_dir=tmp / "corpus", home=tmp / "home")


def _run_corpus(args, settings: Settings, limits: dict[str, float]) -> dict:
    from eval.llm_judge import llm_judge_answers

    questions = load_questions(args.questions)
    if args.typos is not None:
        from eval.typos import with_typos

        questions = with_typos(questions, args.typos)
    if getattr(args, "format", None):
        questions, settings = _rendered(args, settings, questions)
    assistant = None
    if args.answers:
        runs = runs_from_answers(questions, load_answers(args.answers))
        source = f"answers from {args.answers}"
    else:
        assistant = Assistant(settings=settings)
        runs = run_assistant(assistant, questions, progress=not args.no_progress)
        source = "rag.Assistant" + (f" with llm {settings.llm}" if settings.llm else " (extractive)")
    result = score_runs(runs, supports, settings.corpus_dir)
    result["title"] = "gold questions over the corpus"
    result["config"] = {
        "answers": source, "questions": str(args.questions), "corpus": str(settings.corpus_dir),
        "k": settings.k, **({"typos_seed": args.typos} if args.typos is not None else {}),
        **({"format": args.format} if getattr(args, "format", None) else {}),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }
    result["judge"] = validate_judge(judge=supports)
    if args.llm_judge:
        llm, name = _llm_for_judge(args, settings, assistant)
        files = CorpusFiles(settings.corpus_dir)
        answers = [r.answer for r in runs if r.answer]
        result["llm_judge"] = llm_judge_answers(llm, answers, files.cited_text, supports, name)
    missed = check_thresholds(result["summary"], limits)
    judge_limits = load_thresholds(args.thresholds, "judge")
    missed += [f"judge {m}" for m in check_thresholds(result["judge"]["splits"]["heldout"], judge_limits)]
    result["missed"] = missed
    return result


def run(args: argparse.Namespace) -> int:
    """Run the eval the options ask for; RagError subclasses propagate as one-line errors."""
    try:
        settings = Settings.from_args(args)
    except ValueError as exc:
        raise EvalError(str(exc)) from None
    squad = args.dataset == "squad2-dev"
    section = "squad2-dev" if squad else "corpus-typos" if getattr(args, "typos", None) is not None else "corpus"
    limits = load_thresholds(args.thresholds, section)  # fail before a long run
    block = "squad-table" if squad else "corpus-results"
    if args.publish:
        text = args.publish.read_text(encoding="utf-8") if args.publish.is_file() else ""
        if f"<!-- {block}:start -->" not in text:
            raise EvalError(f"{args.publish} has no <!-- {block}:start --> block to publish into")
    if squad:
        from eval.squad import run_squad

        result = run_squad(args, settings)
        result["missed"] = check_thresholds(result["summary"], limits)
    else:
        result = _run_corpus(args, settings, limits)
    if args.publish:
        publish(result["table"] if squad else corpus_table(result), args.publish, block)
    result["thresholds_file"] = str(args.thresholds)
    paths = write_report(args.out, result)
    print_summary(result, sys.stdout)
    print(f"report: {paths['md']}", file=sys.stdout)
    return 1 if result["missed"] else 0


def _common() -> argparse.ArgumentParser:
    """The options ``rag`` gives every subcommand, for ``python -m eval``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", type=Path, help="corpus folder (default: RAG_CORPUS or ./corpus)")
    common.add_argument("--home", type=Path, help="index folder (default: RAG_HOME or <corpus>/../.rag)")
    common.add_argument("--k", type=int, help="passages per answer")
    common.add_argument("--llm", help="LLM spec: none, ollama:MODEL, openai:MODEL, gguf:PATH, script:FILE")
    common.add_argument("--llm-base-url", help="base URL of the LLM server")
    return common


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m eval [options]``: the same as ``rag eval [options]``."""
    parser = argparse.ArgumentParser(prog="python -m eval")
    sub = parser.add_subparsers(dest="command")
    eval_parser = register(sub, _common())
    args = eval_parser.parse_args(argv)
    try:
        return args.func(args)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
