"""rag-assistant: questions over a folder of documents, answered with cited sentences or not at all.

Importing this package first puts the process in offline mode (telemetry off, tiktoken and NLTK data
from llama-index-core's bundled copies, hubs offline) before any of the heavy libraries load.
"""

from rag import _env  # noqa: F401  (must stay first)
from rag.answer.extractive import ABSTAIN_TEXT
from rag.assistant import Assistant, DocumentInfo, IndexStatus
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
from rag.index import IndexReport
from rag.index.embedder import MiniLMEmbedding
from rag.records import (
    Answer,
    AnswerSentence,
    Citation,
    Hit,
    Passage,
    SentenceSpan,
    StreamEvent,
    Support,
)
from rag.settings import Settings
from rag.text.sentences import split_sentences
from rag.verify import supports

__version__ = "0.1.0"

__all__ = [
    "ABSTAIN_TEXT",
    "Answer",
    "AnswerSentence",
    "Assistant",
    "Chat",
    "Citation",
    "CorpusError",
    "DocumentInfo",
    "Hit",
    "IndexBusyError",
    "IndexCorruptError",
    "IndexReport",
    "IndexStatus",
    "LLMError",
    "MiniLMEmbedding",
    "ModelError",
    "Passage",
    "QuestionError",
    "RagError",
    "SentenceSpan",
    "Settings",
    "SettingsError",
    "StreamEvent",
    "Support",
    "Turn",
    "split_sentences",
    "supports",
    "__version__",
]
