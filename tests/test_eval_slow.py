"""`rag eval` end to end on the real corpus: the CI gate, the LLM mode, and a small SQuAD run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from eval.gold import load_questions

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
RAG_BIN = Path(sys.executable).parent / "rag"
SQUAD = REPO.parent / "shared" / "bench" / "squad2-dev" / "dev-v2.0.json"


def rag_cli(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    return subprocess.run([str(RAG_BIN), *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO)


@pytest.fixture
def indexed(core_index, tmp_path):
    """A private copy of the session's indexed corpus."""
    shutil.copytree(core_index.corpus, tmp_path / "corpus")
    shutil.copytree(core_index.home, tmp_path / "home", ignore=shutil.ignore_patterns("lock"))
    return tmp_path / "corpus", tmp_path / "home"


def test_rag_eval_gate_passes_on_the_corpus(indexed, tmp_path):
    corpus, home = indexed
    out = tmp_path / "report"
    done = rag_cli("--corpus", str(corpus), "--home", str(home), "eval", "--out", str(out), "--no-progress")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "citation_recall" in done.stdout and f"report: {out / 'report.md'}" in done.stdout
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["missed"] == []
    assert len(report["questions"]) == len(load_questions())
    assert report["summary"]["quote_integrity"] == 1.0
    assert report["summary"]["hit_at_5"] is not None
    assert (out / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_llm_mode_reports_removed_sentences_and_the_llm_judge_separately(indexed, tmp_path):
    corpus, home = indexed
    questions = tmp_path / "q.jsonl"
    rows = [q for q in (REPO / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
            if json.loads(q)["id"] in ("f03", "q02")]
    questions.write_text("\n".join(rows) + "\n", encoding="utf-8")
    script = tmp_path / "llm.json"
    script.write_text(json.dumps({
        # The LLM judge's prompt ends with this line; the judge says "no" to everything.
        "rules": {"Reply with one word: yes or no.": "no"},
        # The answering LLM writes one true sentence and one invented one.
        "replies": ["Pakistan has lost some 70,000 lives in the fight against terrorism [1]. "
                    "Lavrov said 9,999 ISIS fighters train in Moscow parks [1]."],
    }), encoding="utf-8")
    out = tmp_path / "report"
    done = rag_cli("--corpus", str(corpus), "--home", str(home), "--llm", f"script:{script}", "eval",
                   "--questions", str(questions), "--llm-judge", "same", "--out", str(out), "--no-progress")
    assert done.returncode in (0, 1), done.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["removed_share"] > 0  # the verifier dropped the invented sentence
    assert all("9,999" not in q["answer_text"] for q in report["questions"])
    judge = report["llm_judge"]
    assert judge["sentences"] > 0 and judge["supported_share"] == 0.0
    assert "## LLM judge (reported separately)" in (out / "report.md").read_text(encoding="utf-8")


@pytest.mark.skipif(not SQUAD.is_file(), reason="SQuAD 2.0 dev file not available")
def test_squad_sample_reports_ours_and_the_baseline(tmp_path):
    out = tmp_path / "squad"
    done = rag_cli("eval", "--dataset", "squad2-dev", "--limit", "20", "--out", str(out), "--no-progress",
                   "--thresholds", str(tmp_path / "none.toml"), timeout=1800)
    # No thresholds file: one error line, exit 2 (and the run is still not wasted on a typo later).
    assert done.returncode == 2 and "thresholds file not found" in done.stderr
    (tmp_path / "none.toml").write_text("[squad2-dev]\nrecall_at_5 = 0.5\n", encoding="utf-8")
    done = rag_cli("eval", "--dataset", "squad2-dev", "--limit", "20", "--out", str(out), "--no-progress",
                   "--thresholds", str(tmp_path / "none.toml"), timeout=1800)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    s = report["summary"]
    assert (s["answerable"], s["unanswerable"], s["paragraphs"]) == (20, 20, 646)
    assert s["recall_at_5"] >= s["recall_at_1"] > 0.5
    assert s["baseline_recall_at_5"] >= s["baseline_recall_at_1"] > 0.3
    assert "LlamaIndex VectorStoreIndex" in done.stdout
