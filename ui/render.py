"""HTML for the chat page: answers with clickable [n] markers, sources, articles, status.

Everything that comes from the corpus, the question or the answer is HTML-escaped here, in one
place, so no other module builds markup from user-controlled text. Each fragment is emitted on a
single line inside a ``<div>``: Chatbot messages are Markdown, and a one-line HTML block is left
alone by the Markdown parser (no ``*``/``_``/``#`` surprises from news text).
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import quote

import rag

__all__ = [
    "Span",
    "answer_html",
    "notice_html",
    "streaming_html",
    "user_html",
    "article_html",
    "page_html",
    "article_placeholder",
    "article_error",
    "status_html",
]

_USER_PREVIEW_CHARS = 600
_CARD_CONTEXT_CHARS = 240  # passage text shown on each side of the cited sentence in a source card


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _br(text: str) -> str:
    """Escaped text with line breaks kept, on one physical line."""
    return _esc(text).replace("\r\n", "\n").replace("\n", "<br>")


@dataclass(frozen=True)
class Span:
    """A cited sentence ``[start, end)`` inside its passage ``[passage_start, passage_end)``."""

    source: str
    start: int
    end: int
    passage_start: int
    passage_end: int

    @classmethod
    def of(cls, citation: Any) -> "Span":
        ps = int(getattr(citation, "passage_start", 0) or 0)
        pe = int(getattr(citation, "passage_end", 0) or 0)
        start, end = int(citation.start), int(citation.end)
        if pe <= ps:  # no passage recorded: the sentence is the passage
            ps, pe = start, end
        return cls(citation.source, start, end, min(ps, start), max(pe, end))

    def clamp(self, length: int) -> "Span":
        """The span fitted inside a text of ``length`` chars, ordered ps <= s <= e <= pe."""
        def fit(v: int) -> int:
            return max(0, min(int(v), length))
        s, e = fit(self.start), fit(self.end)
        s, e = min(s, e), max(s, e)
        ps, pe = min(fit(self.passage_start), s), max(fit(self.passage_end), e)
        return Span(self.source, s, e, ps, pe)

    def token(self, n: int) -> str:
        """``n|start|end|passage_start|passage_end|quoted source``: what a click sends back.

        It rides in the button's ``value`` attribute because the Chatbot's HTML sanitizer drops
        ``data-*`` attributes. The server trusts none of it: the source must be an indexed file.
        """
        return (f"{n}|{self.start}|{self.end}|{self.passage_start}|{self.passage_end}|"
                f"{quote(self.source, safe='')}")


def _cite_button(n: int, span: Span, label: str | None = None) -> str:
    text = _esc(label if label is not None else f"[{n}]")
    return (f'<button type="button" class="rag-cite" title="Open the cited passage in its article" '
            f'value="{_esc(span.token(n))}">{text}</button>')


def _trim(text: str, limit: int | None, keep_end: bool) -> str:
    """``text`` cut to about ``limit`` chars at a word boundary, with an ellipsis where cut."""
    if limit is None or len(text) <= limit:
        return text
    if keep_end:
        cut = text[-limit:]
        return "…" + cut[cut.find(" ") + 1:] if " " in cut else "…" + cut
    cut = text[:limit]
    return (cut[:cut.rfind(" ")] if " " in cut else cut) + "…"


def _highlighted(text: str, span: Span, mark_class: str,
                 context: int | None = None) -> tuple[str, str, str]:
    """(before, marked sentence, after) of the passage, each escaped; ``context`` trims the sides."""
    sp = span.clamp(len(text))
    return (_br(_trim(text[sp.passage_start:sp.start], context, keep_end=True)),
            f'<mark class="{mark_class}">{_br(text[sp.start:sp.end])}</mark>',
            _br(_trim(text[sp.end:sp.passage_end], context, keep_end=False)))


def _source_card(citation: Any, text_of: Callable[[str], str | None], label: str) -> str:
    span = Span.of(citation)
    text = text_of(citation.source)
    if text is None:  # file gone since the answer was built: show the quote alone
        body = f'<mark class="rag-sent">{_br(citation.quote)}</mark>'
    else:
        before, marked, after = _highlighted(text, span, "rag-sent", _CARD_CONTEXT_CHARS)
        body = f"{before}{marked}{after}"
    title = _esc(citation.title or citation.source)
    return (f'<div class="rag-source">'
            f'<div class="rag-source-h">{_cite_button(citation.n, span, label)} '
            f'<span class="rag-title">{title}</span></div>'
            f'<div class="rag-file">{_esc(citation.where())} · chars {span.start}–{span.end} · '
            f'{_cite_button(citation.n, span, "View article")}</div>'
            f'<blockquote class="rag-passage">{body}</blockquote></div>')


def _linked_text(text: str, spans: dict[int, Span]) -> str:
    """Escaped answer text whose ``[n]`` markers are buttons opening citation n."""
    out, last = [], 0
    for start, end, numbers in rag.find_marks(text):
        if not numbers or any(n not in spans for n in numbers):
            continue
        mark = text[start:end]
        out.append(_br(text[last:start] + mark[: len(mark) - len(mark.lstrip())]))
        out.extend(_cite_button(n, spans[n]) for n in numbers)
        last = end
    out.append(_br(text[last:]))
    return "".join(out)


def confidence_label(confidence: float | None, abstained: bool = False) -> str:
    """The reader's probability that the shown sentence answers ("confidence 0.83"); docs/eval.md has
    the reliability curve saying how often answers of each confidence were right. Under "The corpus
    does not say." it is the closest sentence's, which was not shown: the label says so, so that
    "confidence 0.64" is not read as confidence in the abstention."""
    if confidence is None:
        return ""
    return f"closest sentence: confidence {confidence:.2f}" if abstained else f"confidence {confidence:.2f}"


def _meta_html(answer: Any) -> str:
    """"Searched for …" when typos were corrected, and the reader's confidence."""
    parts = []
    searched = getattr(answer, "searched_for", None)
    if searched:
        parts.append(f'<span class="rag-searched">searched for “{_esc(searched)}”</span>')
    label = confidence_label(getattr(answer, "confidence", None), bool(getattr(answer, "abstained", False)))
    if label:
        parts.append(f'<span class="rag-confidence">{_esc(label)}</span>')
    return f'<p class="rag-meta">{" · ".join(parts)}</p>' if parts else ""


def answer_html(answer: Any, text_of: Callable[[str], str | None]) -> str:
    """A finished answer: text with [n] buttons, notes, and its sources panel.

    ``text_of(source)`` returns an indexed file's text (or None) to show each passage in full.
    An abstention is shown as such, followed by the related passages that were found.
    """
    cache: dict[str, str | None] = {}

    def cached(source: str) -> str | None:
        if source not in cache:
            cache[source] = text_of(source)
        return cache[source]

    notes = _meta_html(answer) + "".join(f'<p class="rag-note">{_esc(n)}</p>'
                                         for n in getattr(answer, "notes", ()) or ())
    if answer.abstained:
        related = tuple(getattr(answer, "related", ()) or ())
        cards = "".join(_source_card(c, cached, f"related {c.n}") for c in related)
        panel = (f'<div class="rag-sources"><div class="rag-sources-h">Related passages found '
                 f'(they do not answer the question)</div>{cards}</div>') if related else ""
        return (f'<div class="rag-answer rag-abstain"><p class="rag-abstain-h">{_br(answer.text)}</p>'
                f'{notes}{panel}</div>')
    spans = {c.n: Span.of(c) for c in answer.citations}
    cards = "".join(_source_card(c, cached, f"[{c.n}]") for c in answer.citations)
    panel = (f'<div class="rag-sources"><div class="rag-sources-h">Sources</div>{cards}</div>'
             if cards else "")
    return (f'<div class="rag-answer"><p class="rag-text">{_linked_text(answer.text, spans)}</p>'
            f'{notes}{panel}</div>')


def streaming_html(partial_text: str) -> str:
    """The answer while it streams in (markers become buttons once it is complete)."""
    return f'<div class="rag-answer rag-streaming"><p class="rag-text">{_br(partial_text)}▍</p></div>'


def notice_html(message: str, kind: str = "info") -> str:
    """A message from the page itself (bad input, upload result), not an answer."""
    kind = kind if kind in {"info", "error", "ok"} else "info"
    return f'<div class="rag-notice rag-notice-{kind}">{_br(message)}</div>'


def user_html(question: str) -> str:
    """The user's message as shown in the chat; very long input is shortened for display."""
    if len(question) > _USER_PREVIEW_CHARS:
        shown = question[:_USER_PREVIEW_CHARS] + f"… ({len(question):,} characters)"
    else:
        shown = question
    return f'<div class="rag-user">{_br(shown)}</div>'


def article_placeholder() -> str:
    return ('<div class="rag-article rag-article-empty">Click a <b>[n]</b> marker or '
            '<b>View article</b> under an answer to read the whole article here, '
            'with the cited passage highlighted.</div>')


def article_error(message: str) -> str:
    return f'<div class="rag-article rag-article-empty">{_esc(message)}</div>'


def article_html(title: str, span: Span, text: str, n: int | None = None, *,
                 file_line: str | None = None, extra: str = "") -> str:
    """The whole article, the passage shaded and the cited sentence marked (scrolled to by JS).
    ``file_line`` replaces the line under the title (escaped here); ``extra`` is trusted markup
    shown above the text."""
    sp = span.clamp(len(text))
    before, marked, after = _highlighted(text, sp, "rag-hl")
    label = f"[{n}] " if n is not None else ""
    line = file_line if file_line is not None else (
        f"{sp.source} · passage chars {sp.passage_start}–{sp.passage_end} · cited sentence {sp.start}–{sp.end}")
    return (f'<div class="rag-article"><div class="rag-article-h">'
            f'<div class="rag-article-title">{_esc(label)}{_esc(title or sp.source)}</div>'
            f'<div class="rag-file">{_esc(line)}</div></div>{extra}'
            f'<div class="rag-article-body">{_br(text[:sp.passage_start])}'
            f'<span class="rag-passage-hl">{before}{marked}{after}</span>'
            f'{_br(text[sp.passage_end:])}</div></div>')


def _img(png: bytes, cls: str, alt: str) -> str:
    return f'<img class="{cls}" alt="{_esc(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'


def page_html(title: str, span: Span, text: str, bounds: tuple[int, int], page: int, pages: int,
              shown: Any | None, n: int | None = None, note: str = "") -> str:
    """One PDF page: the band of the page around the cited sentence as it looks (marked), the page's
    text with the sentence highlighted, and the whole page as it looks; ``bounds`` are the page's
    [start, end) in the document's text, ``shown`` a :class:`rag.PageImage` (or None)."""
    lo, hi = bounds
    local = replace(span, start=span.start - lo, end=span.end - lo,
                    passage_start=max(span.passage_start, lo) - lo, passage_end=min(span.passage_end, hi) - lo)
    band = (f'<figure class="rag-page-band">{_img(shown.band, "rag-page-img", f"Page {page}, the cited sentence marked")}'
            f'<figcaption>Page {page} as it looks, around the cited sentence</figcaption></figure>'
            if shown is not None and shown.band else "")
    extra = (f'<p class="rag-note">{_esc(note)}</p>' if note else "") + band
    body = article_html(title, local, text[lo:hi], n, extra=extra,
                        file_line=f"{span.source} · page {page} of {pages} · cited sentence {span.start}–{span.end}")
    whole = (f'<details class="rag-page"><summary>The whole page {page} as it looks</summary>'
             f'{_img(shown.png, "rag-page-img", f"Page {page} of {span.source}")}</details>' if shown is not None else "")
    return body[: -len("</div>")] + whole + "</div>"


def _when(value: datetime | None) -> str:
    if value is None:
        return "never"
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def status_html(status: Any, extra: str = "") -> str:
    """One line: documents and passages indexed, index dir, last indexed."""
    parts = [f"<b>{int(status.documents):,}</b> documents",
             f"<b>{int(status.passages):,}</b> passages indexed",
             f"index <code>{_esc(status.home)}</code>",
             f"last indexed {_esc(_when(status.last_indexed))}"]
    if getattr(status, "read_only", False):
        parts.append("read-only index (answers only; no re-index or upload here)")
    skipped = tuple(getattr(status, "skipped", ()) or ())
    if skipped:
        parts.append(f"skipped (see the re-index message for why): {_esc(', '.join(map(str, skipped)))}")
    tail = f' <span class="rag-status-extra">{_esc(extra)}</span>' if extra else ""
    return f'<div class="rag-status">{" · ".join(parts)}{tail}</div>'

