"""The assistant: one corpus folder, its index, and the answering state built from it."""

from rag.assistant.service import Assistant
from rag.assistant.state import AnswerState, DocumentInfo, IndexStatus, PageImage, clean_question

__all__ = ["Assistant", "AnswerState", "DocumentInfo", "IndexStatus", "PageImage", "clean_question"]
