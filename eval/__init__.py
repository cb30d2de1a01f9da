"""The evaluation suite: gold questions over the corpus, grounding metrics, the judge's own
validation, the SQuAD 2.0 benchmark, and the ``rag eval`` command.  Uses only ``rag``'s public API."""
