"""Splitting a document into passages (the retrieval unit) made of whole sentences (the citation unit)."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from rag.records import Document, Passage, SentenceSpan
from rag.text.normalize import clean, is_glued
from rag.text.sentences import split_sentences

__all__ = ["SentenceSpan", "Passage", "Chunker", "count_tokens", "sentence_spans", "PIPELINE_VERSION"]

#: Bumped whenever splitting or cleaning changes what is indexed: it is part of every passage id, and an
#: index built by another version is re-embedded in full on the next run.
PIPELINE_VERSION = "6"


@lru_cache(maxsize=1)
def _encoding():
    import tiktoken  # TIKTOKEN_CACHE_DIR is set by rag._env: no download

    return tiktoken.get_encoding("cl100k_base")


#: What joins a passage's clean sentences into its clean text.
_JOIN = " "


def sentence_spans(passage: Passage) -> list[tuple[int, int]]:
    """Where each of the passage's clean sentences stands in ``passage.clean`` (start, end)."""
    spans, at = [], 0
    for s in passage.sentences:
        spans.append((at, at + len(s.clean)))
        at += len(s.clean) + len(_JOIN)
    return spans


def count_tokens(text: str) -> int:
    """tiktoken cl100k_base tokens, the unit passage sizes are given in."""
    return len(_encoding().encode(text, disallowed_special=()))


class Chunker:
    """Packs sentences into passages: a paragraph per passage when it fits, short headings joined to
    what follows, long paragraphs cut at sentence boundaries into near-equal parts."""

    def __init__(self, max_tokens: int = 180, min_tokens: int = 40):
        if not 16 <= max_tokens <= 240:
            raise ValueError(f"max_tokens must be 16..240 (MiniLM reads 256 word pieces), got {max_tokens!r}")
        if not 0 <= min_tokens < max_tokens:
            raise ValueError(f"min_tokens must be 0..max_tokens-1, got {min_tokens!r}")
        self.max_tokens = max_tokens
        self.min_tokens = min_tokens

    def _paragraphs(self, doc: Document) -> list[list[tuple[int, int, int]]]:
        """Sentences (start, end, tokens) grouped by the line they stand on."""
        paras: list[list[tuple[int, int, int]]] = []
        last_end = -1
        for start, end in split_sentences(doc.text):
            tokens = count_tokens(doc.text[start:end])
            if paras and "\n" not in doc.text[last_end:start]:
                paras[-1].append((start, end, tokens))
            else:
                paras.append([(start, end, tokens)])
            last_end = end
        return paras

    def _line_start(self, doc: Document, offset: int) -> int:
        return doc.text.rfind("\n", 0, offset) + 1

    def _split_long(self, para: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
        total = sum(t for _, _, t in para)
        if total <= self.max_tokens:
            return [para]
        parts = -(-total // self.max_tokens)
        target = total / parts
        out: list[list[tuple[int, int, int]]] = [[]]
        size = 0
        for sent in para:
            if out[-1] and (size + sent[2] > self.max_tokens or size >= target):
                out.append([])
                size = 0
            out[-1].append(sent)
            size += sent[2]
        return out

    def split(self, doc: Document) -> list[Passage]:
        groups: list[tuple[bool, list[tuple[int, int, int]]]] = []
        for para in self._paragraphs(doc):
            boiler = self._line_start(doc, para[0][0]) in doc.boilerplate
            for piece in self._split_long(para):
                size = sum(t for _, _, t in piece)
                if groups:
                    prev_boiler, prev = groups[-1]
                    prev_size = sum(t for _, _, t in prev)
                    if prev_boiler == boiler and prev_size < self.min_tokens and prev_size + size <= self.max_tokens:
                        prev.extend(piece)
                        continue
                groups.append((boiler, list(piece)))
        passages: list[Passage] = []
        seen: dict[str, int] = {}
        glued = is_glued(doc.text)
        for ord_, (boiler, sents) in enumerate(groups):
            start, end = sents[0][0], sents[-1][1]
            text = doc.text[start:end]
            digest = hashlib.sha1(f"{PIPELINE_VERSION}\0{doc.source}\0{text}".encode("utf-8")).hexdigest()[:20]
            seen[digest] = seen.get(digest, 0) + 1
            pid = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
            spans = tuple(SentenceSpan(s, e, doc.text[s:e], clean(doc.text[s:e], glued)) for s, e, _ in sents)
            passages.append(Passage(
                id=pid, source=doc.source, title=doc.title, url=doc.url, start=start, end=end, text=text,
                clean=_JOIN.join(s.clean for s in spans), sentences=spans, ord=ord_, boilerplate=boiler,
                layout=doc.layout,
            ))
        return passages
