"""Text knowledge every stage shares, one copy each: normalising and stemming (``normalize``), sentence
spans (``sentences``), whether a sentence continues the one before it (``sentences.continues``),
citation marks (``marks``), person names and ordinary words (``names``), general word knowledge from
maintained packages (``vocabulary``), spelling correction against the corpus (``spelling``), and the
forms of a word (from ``lemminflect``) with a small thesaurus of near-synonyms (``lexicon``)."""
