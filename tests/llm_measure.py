"""Measure an LLM backend on gold questions: what the verifier did with what the model wrote.

    python tests/llm_measure.py --llm gguf:smollm2 --questions eval/questions.jsonl --out answers.jsonl

Writes one ``Answer.to_dict()`` (+ ``id``) per line, which ``rag eval --answers`` can score, and
prints: answers given by the LLM vs. replaced by the extractive answer, generated sentences,
sentences removed as unsupported, citations corrected. Not a test: it takes minutes per question
with a CPU-only model.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rag  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--llm", required=True)
    ap.add_argument("--llm-base-url")
    ap.add_argument("--questions", default=str(ROOT / "eval" / "questions.jsonl"))
    ap.add_argument("--ids", help="comma-separated question ids (default: all)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rows = [json.loads(line) for line in Path(args.questions).read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.ids:
        wanted = set(args.ids.split(","))
        rows = [r for r in rows if r["id"] in wanted]
    work = Path(tempfile.mkdtemp(prefix="llm-measure-"))
    shutil.copytree(ROOT / "corpus", work / "corpus")
    assistant = rag.Assistant(corpus_dir=work / "corpus", home=work / "home", llm=args.llm,
                              llm_base_url=args.llm_base_url)
    assistant.index()
    totals = {"questions": 0, "generative": 0, "fallback": 0, "generated": 0, "removed": 0, "corrected": 0}
    with open(args.out, "w", encoding="utf-8") as out:
        for row in rows:
            chat = assistant.chat()
            for earlier in row.get("history") or []:
                chat.ask(earlier)
            t0 = time.perf_counter()
            answer = chat.ask(row["question"])
            seconds = time.perf_counter() - t0
            data = {"id": row["id"], **answer.to_dict()}
            out.write(json.dumps(data, ensure_ascii=False) + "\n")
            out.flush()
            generative = answer.mode == "generative"
            generated = len(answer.sentences) if generative else answer.removed
            corrected = sum("corrected" in s.reason or "added" in s.reason for s in answer.sentences) if generative else 0
            totals["questions"] += 1
            totals["generative" if generative else "fallback"] += 1
            totals["generated"] += generated
            totals["removed"] += answer.removed
            totals["corrected"] += corrected
            print(f"{row['id']} {answer.mode:10} generated={generated:2} removed={answer.removed:2} "
                  f"corrected={corrected} {seconds:6.1f}s | {answer.text[:100]!r}", flush=True)
    share = totals["removed"] / totals["generated"] if totals["generated"] else 0.0
    print(json.dumps({**totals, "removed_share": round(share, 3)}))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
