"""Matching: how a cleaned spelling finds its entity.

The index of every spelling (`index`: schema and reads; `indexing`: building it from the
gazetteer store; `sync`: following the user layer), then per query: retrieval
(`retrieve`), scoring (`score`), context clues (`context`), the decision (`decide`) and its
explanation (`explain`), put together as a declared list of stages (`resolver`). The
numbers they use live in `weights`; the answers they give in `model`; `session` opens a
home and keeps a matcher per process.
"""
