"""Verification: whether a passage supports a sentence — one meaning, for every answer and the eval.

``supports`` (the judge plus its guards) decides; ``Verifier`` applies it to the sentences of a
generated reply, narrowing or correcting their citations.
"""

from rag.verify.support import supports
from rag.verify.verifier import Verifier

__all__ = ["Verifier", "supports"]
