"""`rag eval --answers`: answers written elsewhere are scored, and bad ones are told apart from good ones.

The "good" answers quote the gold evidence exactly and cite it at its offsets; the bad ones are the
same answers with changed numbers and names, with citations pointing at the wrong passage, or with
quotes that are not in the file.  No model and no index are needed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from eval.cli import main
from eval.gold import load_questions
from rag import split_sentences

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


def file_text(source: str) -> str:
    return (CORPUS / source).read_bytes().decode("utf-8")


def good_answer(q) -> dict:
    """An answer that quotes each gold span and cites exactly that span."""
    if not q.answerable:
        return {"id": q.id, "question": q.question, "answer": "The corpus does not say.", "abstained": True,
                "citations": [], "sentences": []}
    citations, sentences = [], []
    for n, span in enumerate(q.gold_spans, 1):
        quote = file_text(span["source"])[span["start"]:span["end"]]
        citations.append({"n": n, "source": span["source"], "title": "", "start": span["start"], "end": span["end"],
                          "quote": quote, "score": 1.0, "passage_start": span["start"], "passage_end": span["end"]})
        sentences.append({"text": quote, "citations": [n]})
    text = " ".join(f"{s['text']} [{s['citations'][0]}]" for s in sentences)
    return {"id": q.id, "question": q.question, "answer": text, "abstained": False,
            "citations": citations, "sentences": sentences, "timings_ms": {"total": 12.0}}


def _hallucinate(text: str) -> str:
    text = re.sub(r"\d", lambda m: str((int(m.group()) + 3) % 10), text)
    for a, b in (("Lavrov", "Asif"), ("Tasmagambetov", "Tokayev"), ("Masadykov", "Shoigu"), ("Pakistan", "India"),
                 ("Afghanistan", "Iraq"), ("Russia", "China"), ("CSTO", "NATO"), ("TTP", "PKK")):
        text = text.replace(a, b)
    return text


def hallucinated(answer: dict) -> dict:
    """Same citations, but the sentences' numbers and names are changed."""
    if answer["abstained"]:
        return {**answer, "answer": "Lavrov said the war in Ukraine will end in 2026.", "abstained": False}
    sentences = [{**s, "text": _hallucinate(s["text"])} for s in answer["sentences"]]
    return {**answer, "sentences": sentences, "answer": " ".join(s["text"] for s in sentences)}


def write(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def run_eval(tmp_path: Path, name: str, rows) -> tuple[int, dict, str]:
    answers = write(tmp_path / f"{name}.jsonl", rows)
    out = tmp_path / name
    code = main(["--answers", str(answers), "--out", str(out), "--corpus", str(CORPUS), "--no-progress"])
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return code, report, (out / "report.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def questions():
    return load_questions()


@pytest.fixture(scope="module")
def good(questions):
    return [good_answer(q) for q in questions]


def test_correct_answers_pass_every_gate(tmp_path, good):
    code, report, md = run_eval(tmp_path, "good", good)
    s = report["summary"]
    assert code == 0, report["missed"]
    assert s["pass_rate"] == 1.0
    assert s["fact_recall"] == 1.0
    assert (s["citation_recall"], s["citation_precision"], s["quote_integrity"]) == (1.0, 1.0, 1.0)
    assert (s["abstention_precision"], s["abstention_recall"], s["false_abstention_rate"]) == (1.0, 1.0, 0.0)
    assert s["hit_at_5"] is None  # no retrieval was given, so none is claimed
    assert "Failed questions (0 of" in md
    assert {"report.md", "report.json", "chart.png"} <= {p.name for p in (tmp_path / "good").iterdir()}


def test_hallucinated_answers_fail_grounding_and_the_gate(tmp_path, good):
    code, report, md = run_eval(tmp_path, "hallucinated", [hallucinated(a) for a in good])
    s = report["summary"]
    assert code == 1
    assert s["citation_recall"] < 0.3
    assert s["citation_precision"] < 0.3
    assert s["abstention_recall"] == 0.0
    assert any(m.startswith("citation_recall") for m in report["missed"])
    # Every failure is listed with the answer that was given and the gold facts.
    f01 = next(q for q in report["questions"] if q["id"] == "f01")
    assert not f01["passed"] and "citation recall 0.00" in f01["failures"]
    assert "### f01 (factoid)" in md and "gold facts: (140)" in md and "killed over 473 people" in md


def test_citations_to_the_wrong_passage_are_caught(tmp_path, good):
    by_id = {a["id"]: a for a in good}
    # Every answer keeps its sentences but cites the evidence of another question.
    ids = [a["id"] for a in good if not a["abstained"]]
    wrong = []
    for i, qid in enumerate(ids):
        other = by_id[ids[(i + 7) % len(ids)]]
        wrong.append({**by_id[qid], "citations": [{**c, "n": n} for n, c in enumerate(other["citations"][:1], 1)],
                      "sentences": [{**s, "citations": [1]} for s in by_id[qid]["sentences"]]})
    code, report, _ = run_eval(tmp_path, "wrong", wrong + [a for a in good if a["abstained"]])
    s = report["summary"]
    assert code == 1
    assert s["citation_recall"] < 0.2
    assert s["quote_integrity"] == 1.0  # the quotes are real, they are just the wrong ones
    assert s["cites_gold_source"] < 0.7


def test_quotes_that_are_not_in_the_file_break_quote_integrity(tmp_path, good):
    forged = []
    for a in good:
        cits = [{**c, "quote": c["quote"].replace("the", "a", 1)} for c in a["citations"]]
        forged.append({**a, "citations": cits})
    code, report, md = run_eval(tmp_path, "forged", forged)
    assert code == 1
    assert report["summary"]["quote_integrity"] < 0.8
    assert any(m.startswith("quote_integrity") for m in report["missed"])
    assert "quote(s) differ from the file" in md


def test_missing_answers_count_as_failures(tmp_path, good):
    code, report, md = run_eval(tmp_path, "partial", good[:10])
    assert code == 1
    missing = [q for q in report["questions"] if "error: no answer given" in q["failures"]]
    assert len(missing) == len(good) - 10


def marked_text(sentences) -> str:
    """Answer text with every sentence of every quote followed by its citation mark, as ALCE wants."""
    parts = []
    for s in sentences:
        for a, b in split_sentences(s["text"]):
            sentence = s["text"][a:b].rstrip(",;: ")
            end = "" if sentence[-1:] in ".!?\"”" else "."  # evidence fragments become sentences
            parts.append(f"{sentence}{end} [{s['citations'][0]}]")
    return " ".join(parts)


def test_answers_given_only_as_text_are_split_at_their_citation_marks(tmp_path, good):
    text_only = [{**{k: v for k, v in a.items() if k != "sentences"}, "answer": marked_text(a["sentences"])}
                 if not a["abstained"] else a for a in good]
    code, report, _ = run_eval(tmp_path, "text", text_only)
    assert code == 0, report["missed"]
    assert report["summary"]["citation_recall"] == 1.0
    lying = [{**{k: v for k, v in a.items() if k != "sentences"}, "answer": marked_text(hallucinated(a)["sentences"])}
             if not a["abstained"] else a for a in good]
    _, report, _ = run_eval(tmp_path, "text-lies", lying)
    assert report["summary"]["citation_recall"] < 0.3


def test_the_gold_run_times_warm_questions_only():
    """The first question of a process loads the answering state; that load is not one question's latency."""
    import time
    from eval.corpus_eval import run_assistant
    from eval.gold import GoldQuestion
    from rag import Answer

    class ColdFirst:
        def __init__(self):
            self.loaded = False

        def index(self):
            return None

        def ask(self, question):
            if not self.loaded:
                time.sleep(0.5)  # what loading the index and reader costs the first question
                self.loaded = True
            return Answer(question=question, text="The corpus does not say.", abstained=True)

        def retrieve(self, question, k):
            return []

    qs = [GoldQuestion(id=f"q{i}", kind="factoid", question=f"Question {i}?", history=(), gold_sources=(),
                       gold_facts=(), gold_spans=(), answerable=False) for i in range(3)]
    runs = run_assistant(ColdFirst(), qs, progress=False)
    assert [r.question.id for r in runs] == ["q0", "q1", "q2"]
    assert max(r.latency_ms for r in runs) < 250
