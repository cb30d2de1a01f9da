"""The chat page's layout and event wiring (behaviour lives in :mod:`ui.handlers`).

Left: the chat, input, example questions and "New chat". Right: the article viewer (opened by
clicking a citation) and the corpus controls (status, re-index, upload). Gradio's Row wraps the
right column under the chat on a narrow window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

# isort: off
import rag  # noqa: F401  - sets the offline environment before gradio is imported
# isort: on

import gradio as gr

from ui import render
from ui.assets import SHOW_ANSWER_JS, VIEWER_JS
from ui.handlers import Page

__all__ = ["DEFAULT_EXAMPLES", "DEFAULT_CONCURRENCY", "build_app", "pick_examples"]

# (question, a word the corpus must contain for the question to make sense there)
DEFAULT_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("What did Lavrov say about ISIS numbers?", "Lavrov"),
    ("Who led Pakistan's delegation at the Moscow meeting?", "delegation"),
    ("When was the CSTO established?", "CSTO"),
    ("How many lives has Pakistan lost in the fight against terrorism?", "lives"),
)
from ui.config import DEFAULT_CONCURRENCY

_MAX_SCANNED_DOCS = 200


def pick_examples(page: Page, candidates: Sequence[tuple[str, str]] = DEFAULT_EXAMPLES,
                  limit: int = 4) -> list[str]:
    """The example questions whose key word occurs in the indexed corpus (so they can be answered)."""
    try:
        docs = page.assistant.documents()[:_MAX_SCANNED_DOCS]
    except rag.RagError:
        return []
    texts = [(d.title or "") + "\n" + (page.text_of(d.source) or "") for d in docs]
    blob = "\n".join(texts).lower()
    return [q for q, word in candidates if word.lower() in blob][:limit]


@dataclass
class _Widgets:
    """The page's components, laid out by :func:`_layout` and wired by :func:`_wire`."""

    session: Any
    status: Any
    chatbot: Any
    box: Any
    send: Any
    examples: list
    new: Any
    viewer: Any
    reindex: Any
    files: Any


def _layout(page: Page, questions: Sequence[str], open_article: Any) -> _Widgets:
    session = gr.State(None)
    gr.HTML('<h1>Ask the documents</h1><p>Every answer sentence cites the passage it comes '
            'from — click a <b>[n]</b> to read it in its document. If the documents do not say, '
            'the assistant says so.</p>', elem_id="rag-header")
    status = gr.HTML(page.status(), elem_id="rag-status")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=340):
            chatbot = gr.Chatbot(
                value=[], label="Chat", elem_id="rag-chat", height="62vh", min_height=320,
                latex_delimiters=[], sanitize_html=True, buttons=[],  # copy would copy HTML
                feedback_options=None, group_consecutive_messages=False, layout="panel",
                placeholder="Ask a question about the documents in the corpus.")
            with gr.Row(equal_height=True):
                box = gr.Textbox(placeholder="Ask a question about the documents…", show_label=False,
                                 container=False, scale=6, lines=1, max_lines=6, autofocus=True,
                                 elem_id="rag-input")
                send = gr.Button("Ask", variant="primary", scale=1, min_width=70, elem_id="rag-send")
            with gr.Row(elem_id="rag-examples"):
                examples = [gr.Button(q, size="sm", variant="secondary", min_width=120) for q in questions]
            gr.HTML('<p id="rag-hint">Follow-up questions use this chat\'s history '
                    '(e.g. “And who led the other side?”); <b>New chat</b> starts over.</p>')
            new = gr.Button("New chat", size="sm", variant="secondary", elem_id="rag-new")
        with gr.Column(scale=2, min_width=300):
            viewer = gr.HTML(render.article_placeholder(), elem_id="rag-article", js_on_load=VIEWER_JS,
                             server_functions=[open_article], apply_default_css=True)
            with gr.Accordion("Corpus: re-index or add files", open=False, elem_id="rag-corpus"):
                reindex = gr.Button("Re-index changed files", size="sm", elem_id="rag-reindex")
                files = gr.File(label="Add documents to the corpus (.txt .md .pdf .docx .html)",
                                file_count="multiple", file_types=list(rag.EXTENSIONS), type="filepath", elem_id="rag-upload", height=120)
    return _Widgets(session, status, chatbot, box, send, examples, new, viewer, reindex, files)


def _wire(page: Page, w: _Widgets, concurrency: int, reindex: Any, upload: Any) -> None:
    chat_io = dict(fn=page.respond, outputs=[w.chatbot, w.session, w.status], show_progress_on=[w.chatbot],
                   concurrency_limit=concurrency, concurrency_id="answer", api_visibility="private",
                   show_progress="minimal")
    pending = gr.State("")
    show = dict(fn=None, inputs=None, outputs=None, js=SHOW_ANSWER_JS, api_visibility="private")
    private = dict(queue=False, api_visibility="private")
    for trigger in (w.box.submit, w.send.click):
        trigger(lambda m: ("", m), [w.box], [w.box, pending], **private).then(
            inputs=[pending, w.chatbot, w.session], **chat_io).then(**show)
    for button in w.examples:
        button.click(inputs=[button, w.chatbot, w.session], **chat_io).then(**show)
    for event in (w.new.click, w.chatbot.clear):
        event(page.new_chat, [w.session], [w.chatbot, w.session, w.viewer], **private)
    w.reindex.click(reindex, None, w.status, concurrency_limit=1, concurrency_id="index", api_visibility="private")
    w.files.upload(upload, [w.files, w.chatbot], [w.chatbot, w.status, w.files], concurrency_limit=1,
                   concurrency_id="index", api_visibility="private")


def build_app(assistant: Any, *, concurrency: int = DEFAULT_CONCURRENCY,
              examples: Sequence[str] | None = None, title: str = "rag-assistant") -> gr.Blocks:
    """The Blocks app over ``assistant``; ``concurrency`` answers run at once across all users."""
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
        raise ValueError(f"concurrency must be a positive integer, got {concurrency!r}")
    page = Page(assistant)
    questions = list(examples) if examples is not None else pick_examples(page)

    def open_article(request: dict) -> str:
        return page.open_article(request)

    def reindex(progress: gr.Progress = gr.Progress()) -> str:
        return page.reindex(progress)

    def upload(files: list[str] | None, history: list, progress: gr.Progress = gr.Progress()):
        return page.upload(files, history, progress)

    def ask(question: str) -> dict:
        """Answer one question from the corpus; returns the answer JSON (answer, abstained,
        citations with file offsets, sentences, related passages)."""
        try:
            return page.api_ask(question)
        except (ValueError, rag.RagError) as err:
            raise gr.Error(str(err), print_exception=False) from None

    with gr.Blocks(title=title, analytics_enabled=False) as demo:
        widgets = _layout(page, questions, open_article)
        _wire(page, widgets, concurrency, reindex, upload)
        demo.load(page.status, None, widgets.status, queue=False, api_visibility="private")
        gr.api(ask, api_name="ask", concurrency_limit=concurrency, concurrency_id="answer")
    demo.queue(default_concurrency_limit=concurrency, max_size=max(64, 8 * concurrency))
    return demo
