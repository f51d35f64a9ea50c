"""`uanorm serve`: the Reconciliation Service API 0.2 (for OpenRefine) and a lookup page, over HTTP.

One module per job: `app` (routes and middleware), `protocol` (manifest, types, query batches,
results), `entities` (what is said about an entity), `pages` (preview, view and flyout HTML),
`suggest`, `extend`, `lookup` (the page at `/` and its JSON), `clues` (the clues handed to
`resolve`), `errors`; the page's CSS and JavaScript are package data in `static/`. Needs the
`serve` extra (Starlette and uvicorn); importing this package alone does not.
"""
