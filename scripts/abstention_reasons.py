"""Why the assistant abstains on SQuAD 2.0 dev, by reason: ``python scripts/abstention_reasons.py``.

Every SQuAD question is asked once with the default answerer over the 646 paragraphs; abstentions
are grouped by their reason (numbers and quoted words folded), for answerable questions (false
abstentions) beside the unanswerable ones the same reason stops, on the reader's training (even)
articles and on the held-out (odd) ones. Look for rules to change on the even articles only.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eval.metrics import contains_answer  # noqa: E402
from eval.squad import load_squad, write_corpus  # noqa: E402
from rag import Assistant, Settings  # noqa: E402

DATA = ROOT.parent / "shared" / "bench" / "squad2-dev" / "dev-v2.0.json"


def ask_all(data: Path) -> list[dict]:
    paragraphs, questions = load_squad(data)
    with tempfile.TemporaryDirectory(prefix="rag-reasons-") as tmp:
        corpus = write_corpus(paragraphs, Path(tmp) / "corpus")
        assistant = Assistant(settings=Settings.from_env(corpus_dir=corpus, home=Path(tmp) / "home"))
        assistant.index()
        rows = []
        for q in questions:
            ans = assistant.ask(q.question)
            rows.append({"question": q.question, "answerable": q.answerable, "even": int(q.source[:2]) % 2 == 0,
                         "abstained": ans.abstained, "right": not ans.abstained and contains_answer(ans.text, q.answers),
                         "reason": next((n for n in ans.notes if n.startswith("Abstained")), ""),
                         "gold": list(q.answers)[:2]})
        assistant.close()
    return rows


def _kind(reason: str) -> str:
    return re.sub(r"'[^']*'|\"[^\"]*\"|[0-9.]+%?", "#", reason)[:80]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--rows", type=Path, help="also write the per-question rows here (JSON)")
    args = p.parse_args()
    rows = ask_all(args.data)
    if args.rows:
        args.rows.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    for even in (True, False):
        half = [r for r in rows if r["even"] == even and r["abstained"]]
        false = collections.Counter(_kind(r["reason"]) for r in half if r["answerable"])
        right = collections.Counter(_kind(r["reason"]) for r in half if not r["answerable"])
        print(f"\n{'even (training)' if even else 'odd (held-out)'} articles: {sum(false.values())} answerable "
              f"and {sum(right.values())} unanswerable questions abstained on")
        print("| reason | answerable (false abstentions) | unanswerable (right abstentions) |\n|---|---|---|")
        for kind, n in (false + right).most_common(15):
            print(f"| {kind} | {false.get(kind, 0)} | {right.get(kind, 0)} |")


if __name__ == "__main__":
    main()
