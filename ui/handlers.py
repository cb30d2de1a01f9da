"""What the chat page does when a user acts: ask, start over, open a citation, re-index, upload.

One :class:`Page` wraps the shared :class:`rag.Assistant`; each browser session owns a
:class:`Session` (kept in ``gr.State``) holding its own ``Chat``, so histories never mix. Errors a
user can cause become a message in the chat, never a traceback; unexpected ones are logged and
reported in one line, and the page keeps working.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import rag
from ui import render
from ui.uploads import save_upload

__all__ = ["Session", "Page", "question_problem"]

log = logging.getLogger("ui")

History = list[dict[str, Any]]
ProgressFn = Callable[..., Any]


class Session:
    """One browser session's chat; the lock keeps a double-submit from interleaving its history."""

    def __init__(self, chat: Any) -> None:
        self.chat = chat
        self.lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, Any]) -> "Session":  # gr.State may copy; share nothing
        return self


def _msg(role: str, content: str) -> dict[str, Any]:
    return {"role": role, "content": content}


def question_problem(assistant: Any, message: Any) -> str | None:
    """Why ``message`` cannot be asked, in the assistant's own one line, or None when it can."""
    try:
        assistant.check_question(message)
    except rag.QuestionError as err:
        return f"{str(err)[:1].upper()}{str(err)[1:]}."
    return None


def _summary(report: Any) -> str:
    """The index report as one line, with the files that were skipped and why."""
    line = report.summary() if hasattr(report, "summary") else str(report)
    skipped = getattr(report, "skipped", ()) or ()
    if skipped:
        line += "; skipped: " + ", ".join(
            f"{getattr(s, 'source', s)} ({getattr(s, 'reason', 'unreadable')})" for s in skipped)
    return line


class Page:
    """The page's behaviour over one shared Assistant (thread-safe by the core's contract)."""

    def __init__(self, assistant: Any) -> None:
        if assistant is None:
            raise ValueError("Page needs an Assistant, got None")
        self.assistant = assistant
        self._index_lock = threading.Lock()

    # -- helpers -----------------------------------------------------------------------------
    def text_of(self, source: str) -> str | None:
        try:
            return self.assistant.document_text(source)
        except rag.RagError:
            return None

    def status(self, extra: str = "") -> str:
        try:
            return render.status_html(self.assistant.status(), extra)
        except rag.RagError as err:
            return render.notice_html(f"Index status unavailable: {err}", "error")

    def session(self, state: Session | None) -> Session:
        return state if isinstance(state, Session) else Session(self.assistant.chat())

    # -- chat --------------------------------------------------------------------------------
    def respond(self, message: Any, history: History | None,
                state: Session | None) -> Iterator[tuple[History, Session, str]]:
        """Stream one answer into the chat: (history, session, status line) per update."""
        history = list(history or [])
        session = self.session(state)
        problem = question_problem(self.assistant, message)
        if problem:
            if isinstance(message, str) and message.strip():
                history.append(_msg("user", render.user_html(message)))
            history.append(_msg("assistant", render.notice_html(problem, "error")))
            yield history, session, self.status()
            return
        question = message.strip()
        history.append(_msg("user", render.user_html(question)))
        history.append(_msg("assistant", render.streaming_html("")))
        status = self.status()
        yield history, session, status
        with session.lock:
            text = ""
            try:
                for event in session.chat.stream(question):
                    if event.answer is not None:
                        history[-1] = _msg("assistant", render.answer_html(event.answer, self.text_of))
                        break
                    if event.delta:
                        text += event.delta
                        history[-1] = _msg("assistant", render.streaming_html(text))
                        yield history, session, status
                else:
                    history[-1] = _msg("assistant", render.notice_html(
                        "The answer stopped before it was complete. Please ask again.", "error"))
            except rag.RagError as err:
                history[-1] = _msg("assistant", render.notice_html(str(err), "error"))
            except Exception:  # noqa: BLE001 - the page must survive anything the core raises
                log.exception("answering %r failed", question[:200])
                history[-1] = _msg("assistant", render.notice_html(
                    "Something went wrong while answering (details are in the server log). "
                    "Please try again.", "error"))
        yield history, session, self.status()

    def new_chat(self, state: Session | None) -> tuple[History, Session, str]:
        """Forget this session's history; a fresh Chat is created for the next question."""
        if isinstance(state, Session):
            with state.lock:
                state.chat.reset()
            return [], state, render.article_placeholder()
        return [], self.session(None), render.article_placeholder()

    # -- article viewer (called from the page's JavaScript) ------------------------------------
    def open_article(self, request: Any) -> str:
        """The whole indexed article named in ``request`` with the cited passage highlighted.

        Only names of indexed files are accepted; nothing in the request is used as a path.
        """
        if not isinstance(request, dict):
            return render.article_error("Could not open this citation (malformed request).")
        source = request.get("source")
        try:
            nums = [int(request.get(k, 0)) for k in ("start", "end", "passage_start", "passage_end")]
            n = int(request["n"]) if request.get("n") not in (None, "") else None
        except (TypeError, ValueError):
            return render.article_error("Could not open this citation (bad offsets).")
        info = self.assistant.document(source)
        if not isinstance(source, str) or info is None:
            return render.article_error("That file is not in the index, so it cannot be shown.")
        text = self.text_of(source)
        if text is None:
            return render.article_error(f"{source} is no longer readable; re-index the corpus.")
        span = render.Span(source, nums[0], nums[1], nums[2], nums[3])
        pages = info.layout.pages
        if not pages:
            heading = info.layout.heading_at(span.start)
            line = f"{source} · under “{heading}” · cited sentence {span.start}–{span.end}" if heading else None
            return render.article_html(info.title, span, text, n, file_line=line)
        page = info.layout.page_at(span.start)
        bounds = (pages[page - 1], pages[page] if page < len(pages) else len(text))
        shown, note = None, ""
        try:
            shown = self.assistant.page_image(source, span.start, span.end)
            note = "" if shown.marked else "The sentence could not be located on the page image."
        except rag.RagError as err:
            note = f"The page image is not available: {err}"
        return render.page_html(info.title, span, text, bounds, page, len(pages), shown, n, note)

    # -- corpus ------------------------------------------------------------------------------
    def _index(self, progress: ProgressFn | None) -> str:
        """Index changed files; returns a one-line summary (errors included, never raised)."""
        if not self._index_lock.acquire(blocking=False):
            return "Indexing is already running; try again when it has finished."
        try:
            def report(done: int, total: int, label: str = "") -> None:
                if progress is not None:  # a fraction: an empty run (0 of 0) is complete, not 0 %
                    progress(min(done / total, 1.0) if total > 0 else 1.0, desc=label or "indexing")
            result = self.assistant.index(progress=report, wait=False)
            if result is None:
                return ("Another process is indexing this corpus right now; answers use the last "
                        "committed index until it is done.")
            return "Indexed: " + _summary(result)
        except rag.RagError as err:
            return f"Indexing failed: {err}"
        except Exception:  # noqa: BLE001
            log.exception("indexing failed")
            return "Indexing failed (details are in the server log); the previous index is kept."
        finally:
            self._index_lock.release()

    def reindex(self, progress: ProgressFn | None = None) -> str:
        summary = self._index(progress)
        return self.status(summary)

    def upload(self, files: list[Any] | None, history: History | None,
               progress: ProgressFn | None = None) -> tuple[History, str, None]:
        """Copy uploaded documents into the corpus, index them, report in the chat."""
        history = list(history or [])
        paths = [str(f) for f in (files or []) if f]
        if not paths:
            return history, self.status(), None
        corpus = Path(self.assistant.status().corpus_dir)
        results = [save_upload(corpus, p, Path(p).name) for p in paths]
        lines = [r.message for r in results]
        saved = [r for r in results if r.ok and r.saved_as]
        failed = [r for r in results if not r.ok]
        extra = ""
        if any(r.message.startswith("Added") for r in saved):
            extra = self._index(progress)
            lines.append(extra)
        kind = "error" if failed and not saved else ("info" if failed else "ok")
        history.append(_msg("assistant", render.notice_html("\n".join(lines), kind)))
        return history, self.status(extra), None

    # -- API -----------------------------------------------------------------------------------
    def api_ask(self, question: str) -> dict[str, Any]:
        """One stateless question for API clients: the answer JSON of ``rag ask --json``."""
        problem = question_problem(self.assistant, question)
        if problem:
            raise ValueError(problem)
        return self.assistant.ask(question.strip()).to_dict()
