"""Tables: resolving a column of a DataFrame or a file.

Answers per distinct (value, context) pair, a worker pool for many of them, the review
file of what could not be decided, DataFrame engines (pandas, polars), file formats
(CSV, TSV, XLSX, Parquet, JSON Lines) and whole-file cleaning.
"""
