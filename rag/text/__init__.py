"""Text knowledge every stage shares, one copy each: normalising and stemming (``normalize``), sentence
spans (``sentences``), whether a sentence continues the one before it (``sentences.continues``),
citation marks (``marks``), person names and ordinary words (``names``), general word knowledge from
maintained packages (``vocabulary``), spelling correction against the corpus (``spelling``) and the
small thesaurus of irregular forms (``lexicon``)."""
