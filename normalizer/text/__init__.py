"""Running text: finding and linking the place and person mentions of a document.

Tokens and the phrases around a mention (`mentions`), the index's vocabulary used as a
prefilter (`vocabulary`), the annotator (`annotate`) and its output formats (`render`).
"""
