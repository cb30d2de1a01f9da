"""The eval's command line: plugin registration, one-line errors, thresholds, and the report files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from eval.cli import load_thresholds, main, register
from eval.errors import EvalError
from eval.scoring import check_thresholds
from rag import RagError

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


def test_register_adds_eval_with_the_common_options():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus")
    common.add_argument("--llm")
    parser = argparse.ArgumentParser(prog="rag")
    register(parser.add_subparsers(dest="command"), common)
    args = parser.parse_args(["eval", "--corpus", "c", "--answers", "a.jsonl", "--dataset", "squad2-dev", "--limit", "3"])
    assert (args.command, args.corpus, str(args.answers), args.dataset, args.limit) == ("eval", "c", "a.jsonl",
                                                                                        "squad2-dev", 3)
    assert callable(args.func)
    with pytest.raises(SystemExit):
        parser.parse_args(["eval", "--dataset", "imagenet"])


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "error: answers file not found"),
        ("{not json\n", "not JSON"),
        ('{"answer": "x"}\n', 'expected an object with "id" and "answer"'),
        ('{"id": "f01", "answer": "x", "citations": {}}\n', "'citations' must be a list"),
    ],
)
def test_bad_answers_file_is_one_error_line_and_exit_2(tmp_path, capsys, content, message):
    path = tmp_path / "answers.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code = main(["--answers", str(path), "--out", str(tmp_path / "out"), "--corpus", str(CORPUS)])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bad_questions_file_names_the_line(tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "x", "kind": "riddle", "question": "?"}\n', encoding="utf-8")
    code = main(["--questions", str(questions), "--answers", str(questions), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{questions}:1: unknown kind 'riddle'" in err


def test_thresholds_file_errors_are_eval_errors(tmp_path):
    assert issubclass(EvalError, RagError)
    with pytest.raises(EvalError, match="thresholds file not found"):
        load_thresholds(tmp_path / "missing.toml", "corpus")
    bad = tmp_path / "bad.toml"
    bad.write_text("[corpus]\nfact_recall = 'high'\n", encoding="utf-8")
    with pytest.raises(EvalError, match=r"\[corpus\] fact_recall must be a number"):
        load_thresholds(bad, "corpus")


def test_threshold_checks_minimums_maximums_and_unknown_names():
    summary = {"fact_recall": 0.7, "latency_p95_ms": 900.0, "hit_at_5": None}
    missed = check_thresholds(summary, {"fact_recall": 0.8, "latency_p95_ms_max": 500, "hit_at_5": 0.9,
                                        "fact_recal": 0.5})
    assert missed == ["fact_recall 0.700 < 0.8", "latency_p95_ms 900.000 > 500", "fact_recal: no such metric"]
    assert check_thresholds(summary, {"fact_recall": 0.7, "latency_p95_ms_max": 900}) == []


def test_a_custom_thresholds_file_decides_the_exit_code(tmp_path):
    answers = tmp_path / "a.jsonl"
    answers.write_text(json.dumps({"id": "n01", "answer": "The corpus does not say.", "abstained": True}) + "\n",
                       encoding="utf-8")
    lenient = tmp_path / "lenient.toml"
    lenient.write_text("[corpus]\nabstention_recall = 0.01\n", encoding="utf-8")
    strict = tmp_path / "strict.toml"
    strict.write_text("[corpus]\nabstention_recall = 0.9\n", encoding="utf-8")
    base = ["--answers", str(answers), "--corpus", str(CORPUS), "--no-progress"]
    assert main([*base, "--thresholds", str(lenient), "--out", str(tmp_path / "l")]) == 0
    assert main([*base, "--thresholds", str(strict), "--out", str(tmp_path / "s")]) == 1
    report = json.loads((tmp_path / "s" / "report.json").read_text(encoding="utf-8"))
    assert report["missed"] == ["abstention_recall 0.083 < 0.9"]  # 1 of 12 unanswerable abstained on


def test_report_includes_the_judge_validation(tmp_path):
    answers = tmp_path / "a.jsonl"
    answers.write_text(json.dumps({"id": "n01", "answer": "x", "abstained": True}) + "\n", encoding="utf-8")
    main(["--answers", str(answers), "--corpus", str(CORPUS), "--out", str(tmp_path / "o"), "--no-progress"])
    report = json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))
    splits = report["judge"]["splits"]
    assert splits["tune"]["n"] + splits["heldout"]["n"] == splits["all"]["n"] >= 80
    md = (tmp_path / "o" / "report.md").read_text(encoding="utf-8")
    assert "## Support judge validation" in md and "| heldout |" in md


def test_publish_rewrites_only_the_marked_block(tmp_path, capsys):
    from eval.report import publish

    doc = tmp_path / "eval.md"
    doc.write_text("intro\n<!-- corpus-results:start -->\nold\n<!-- corpus-results:end -->\nouttro\n", encoding="utf-8")
    publish(["| a | b |", "|---|---|"], doc, "corpus-results")
    assert doc.read_text(encoding="utf-8") == ("intro\n<!-- corpus-results:start -->\n| a | b |\n|---|---|\n"
                                               "<!-- corpus-results:end -->\nouttro\n")
    answers = tmp_path / "a.jsonl"
    answers.write_text(json.dumps({"id": "n01", "answer": "x", "abstained": True}) + "\n", encoding="utf-8")
    plain = tmp_path / "plain.md"
    plain.write_text("no block here\n", encoding="utf-8")
    code = main(["--answers", str(answers), "--corpus", str(CORPUS), "--out", str(tmp_path / "o"),
                 "--publish", str(plain)])
    assert code == 2 and "has no <!-- corpus-results:start --> block" in capsys.readouterr().err
    assert plain.read_text(encoding="utf-8") == "no block here\n" and not (tmp_path / "o").exists()
    main(["--answers", str(answers), "--corpus", str(CORPUS), "--out", str(tmp_path / "o"), "--publish", str(doc),
          "--no-progress"])
    assert "| **all** | 55 |" in doc.read_text(encoding="utf-8")
