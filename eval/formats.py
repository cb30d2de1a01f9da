"""The gold set over the five articles rendered as PDF, Word or web pages (``rag eval --format``).

The articles are rendered by :mod:`eval.tools.render_formats` into a temporary folder, and each gold
question is moved onto the rendered file: its gold sources renamed, its gold spans found again in the
file's *extracted* text (the text citations quote) by their letters, since spacing and line breaks
differ. ``mixed`` gives the articles the three formats in turn.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Sequence

from eval.errors import EvalError
from eval.gold import GoldQuestion
from rag import CorpusError, find_quote, read_document

__all__ = ["FORMATS", "render_corpus", "moved_questions"]

FORMATS = ("pdf", "docx", "html", "mixed")


def render_corpus(corpus_dir: Path, out: Path, fmt: str) -> dict[str, str]:
    """Render every ``*.txt`` article of ``corpus_dir`` into ``out``; {text source: rendered source}."""
    from eval.tools.render_formats import FORMATS as RENDERED, render

    if fmt not in FORMATS:
        raise EvalError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    stems = sorted(p.stem for p in Path(corpus_dir).glob("*.txt"))
    if not stems:
        raise EvalError(f"no .txt article in {corpus_dir} to render")
    render(Path(corpus_dir), out, RENDERED if fmt == "mixed" else (fmt,))
    chosen = {stem: RENDERED[i % len(RENDERED)] if fmt == "mixed" else fmt for i, stem in enumerate(stems)}
    for path in out.iterdir():  # keep one format per article
        if path.stem in chosen and path.suffix[1:] != chosen[path.stem]:
            path.unlink()
    return {f"{stem}.txt": f"{stem}.{ext}" for stem, ext in chosen.items()}


def _moved_span(span: dict, texts: dict[str, str], renamed: dict[str, str], originals: Path) -> dict:
    source = str(span.get("source", ""))
    target = renamed.get(source)
    if target is None:
        return span
    original = (originals / source).read_text(encoding="utf-8")
    quote = original[int(span["start"]):int(span["end"])]
    found = find_quote(texts[target], quote)
    if found is None:
        raise EvalError(f"gold span {source} {span['start']}-{span['end']} ({quote[:60]!r}) is not in "
                        f"the extracted text of {target}")
    return {**span, "source": target, "start": found[0], "end": found[1]}


def moved_questions(questions: Sequence[GoldQuestion], originals: Path, rendered: Path,
                    renamed: dict[str, str]) -> list[GoldQuestion]:
    """The questions with their gold sources and spans on the rendered files."""
    texts = {}
    for target in renamed.values():
        try:
            texts[target] = read_document(rendered / target, rendered).text
        except CorpusError as exc:
            raise EvalError(f"a rendered file cannot be read: {exc}") from None
    return [replace(q, gold_sources=tuple(renamed.get(s, s) for s in q.gold_sources),
                    gold_spans=tuple(_moved_span(s, texts, renamed, originals) for s in q.gold_spans))
            for q in questions]
