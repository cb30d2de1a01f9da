"""rag-assistant: questions over a folder of documents, answered with cited sentences or not at all.

The pipeline is the folder list: ``text`` (normalising, sentences, citation marks) → ``ingest``
(reading the corpus folder, passages) → ``index`` (SQLite records, Chroma vectors, BM25; snapshots)
→ ``retrieve`` (hybrid fusion) → ``answer`` (extractive or generative) → ``verify`` (the one meaning
of "supported") → ``chat`` (follow-ups); ``assistant`` runs it. Importing this package first puts the
process in offline mode (``rag._env``) before any of the heavy libraries load.
"""

from rag import _env  # noqa: F401  (must stay first)
from rag.answer.extractive import ABSTAIN_TEXT
from rag.answer.reader import ReaderError, ReaderModel, load_reader
from rag.assistant import Assistant, DocumentInfo, IndexStatus, PageImage
from rag.chat.session import Chat, Turn
from rag.errors import (
    CorpusError,
    IndexBusyError,
    IndexCorruptError,
    LLMError,
    ModelError,
    QuestionError,
    RagError,
    SettingsError,
)
from rag.ingest.chunk import count_tokens
from rag.ingest.corpus import EXTENSIONS, read_document
from rag.ingest.formats.pdf_view import find_quote
from rag.index import ChromaServer, Embedder, IndexReport, MiniLMEmbedding, NumpyEmbedding
from rag.llm import ScriptedLLM, resolve_llm
from rag.records import (
    Answer,
    Answerer,
    AnswerSentence,
    Citation,
    DraftSentence,
    Hit,
    Judge,
    Layout,
    Passage,
    SentenceSpan,
    StreamEvent,
    Support,
)
from rag.settings import Settings
from rag.text.marks import find_marks, parse_reply, strip_markers
from rag.text.sentences import split_sentences
from rag.verify import supports

__version__ = "0.2.0"

__all__ = [
    "ABSTAIN_TEXT",
    "Answer",
    "AnswerSentence",
    "Answerer",
    "Assistant",
    "Chat",
    "ChromaServer",
    "Citation",
    "CorpusError",
    "DocumentInfo",
    "EXTENSIONS",
    "DraftSentence",
    "Embedder",
    "Hit",
    "IndexBusyError",
    "IndexCorruptError",
    "IndexReport",
    "IndexStatus",
    "Judge",
    "Layout",
    "LLMError",
    "MiniLMEmbedding",
    "NumpyEmbedding",
    "PageImage",
    "ModelError",
    "Passage",
    "QuestionError",
    "RagError",
    "ReaderError",
    "ReaderModel",
    "ScriptedLLM",
    "SentenceSpan",
    "Settings",
    "SettingsError",
    "StreamEvent",
    "Support",
    "Turn",
    "count_tokens",
    "find_marks",
    "find_quote",
    "load_reader",
    "parse_reply",
    "read_document",
    "resolve_llm",
    "split_sentences",
    "strip_markers",
    "supports",
    "__version__",
]
