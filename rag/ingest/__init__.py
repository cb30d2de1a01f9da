"""Ingest, the pipeline's first stage: a folder's files -> documents -> passages of whole sentences.

``corpus`` decides which files count and reads each one's exact text, title, URL and boilerplate;
``chunk`` splits a document into passages (the retrieval unit) made of sentences (the citation unit),
with offsets into the file's text and ids that stay put when nothing around them changes.
"""
