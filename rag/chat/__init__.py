"""Conversations, before retrieval: a follow-up plus the earlier turns -> one standalone question.

``session`` keeps the turns and, without an LLM, carries the earlier key terms into a follow-up;
``condense`` has an LLM rewrite the follow-up with LlamaIndex's condense prompt.
"""
