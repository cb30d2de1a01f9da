"""Verification: whether a passage supports a sentence — one meaning, for every answer and the eval.

``supports`` (the judge plus its guards) decides; ``Verifier`` applies it to the sentences of a
generated reply, narrowing or correcting their citations; ``claim_verdict`` says whether a sentence
answers a yes/no question's claim with yes or no.
"""

from rag.verify.polar import claim_verdict
from rag.verify.support import supports
from rag.verify.verifier import Verifier

__all__ = ["Verifier", "claim_verdict", "supports"]
