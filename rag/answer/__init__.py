"""Answering, after retrieval: retrieved passages -> a cited answer, or an abstention.

``extractive`` (the default) picks corpus sentences: ``candidates`` measures each sentence against
the question (``question``, ``conditions``), ``reader`` turns those features into the probability that
it answers, and ``policy`` holds every threshold. ``generative`` asks an LLM (``prompt``) and keeps only
what the cited passages support; ``citations`` numbers the spans either way.
"""
