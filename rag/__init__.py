"""rag-assistant: questions over a folder of documents, answered with cited sentences or not at all.

Importing this package first puts the process in offline mode (telemetry off, tiktoken and NLTK data
from llama-index-core's bundled copies, hubs offline) before any of the heavy libraries load.
"""

from . import _env  # noqa: F401  (must stay first)
from .answer import Answer, AnswerSentence, Citation, StreamEvent
from .assistant import Assistant, DocumentInfo, IndexStatus
from .chat import Chat, Turn
from .embed import MiniLMEmbedding
from .errors import (
    CorpusError,
    IndexBusyError,
    IndexCorruptError,
    LLMError,
    ModelError,
    QuestionError,
    RagError,
    SettingsError,
)
from .extractive import ABSTAIN_TEXT
from .index import IndexReport
from .judge import Support, supports
from .passages import Passage, SentenceSpan
from .retrieve import Hit
from .sentences import split_sentences
from .settings import Settings

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
