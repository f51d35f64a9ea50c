"""Cleaning JSON Lines: line by line, each object's answer fields spliced in after its column, order and
formatting of everything else kept byte for byte."""

from __future__ import annotations

import gc
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ColumnError, InputFileError
from .answers import SUFFIXES, Answer, Key, output_names
from .clues import clue_cell
from .frames import hashable
from .review import ColumnReport

if TYPE_CHECKING:
    from .files import FileJob


def clean_jsonl(job: FileJob, target: Path | None) -> tuple[int, list[ColumnReport], Any]:
    """Clean a JSON Lines file line by line into `target`: each object gains the answer fields after each column."""
    from . import formats as io

    assert job.source is not None and target is not None
    with open(job.source, "rb") as handle:
        sample = handle.read(io.SNIFF_BYTES)
    layout = io.detect_layout(sample, name=job.input, fmt="jsonl", encoding=job.encoding,
                              complete=len(sample) < io.SNIFF_BYTES)
    codec = "utf-8-sig" if layout.bom else layout.encoding
    counts: list[Counter] = [Counter() for _ in job.columns]
    texts: list[dict[Answer, str]] = [{} for _ in job.columns]  # answer -> its JSON fields, per column
    rows = 0
    gc_was_on = gc.isenabled()
    gc.disable()  # chunks are many small acyclic objects: the cycle collector would only slow them down
    try:
        with open(job.source, encoding=codec, newline="") as reader, open(target, "w", encoding="utf-8",
                                                                            newline="") as writer:
            for chunk in _numbered_chunks(reader, job.input, layout.encoding):
                rows += _clean_chunk(job, chunk, counts, texts, writer, first=rows == 0)
    finally:
        if gc_was_on:
            gc.enable()
    reports = []
    for column, counter in zip(job.columns, counts):
        answers = job.resolver.answers(counter)
        report = ColumnReport(column, job.resolver.hint_key)
        for (value, hint), count in counter.items():
            report.add(value, hint, count, answers[(value, hint)])
        reports.append(report)
    if rows == 0:
        raise InputFileError(f"{job.input}: empty file (no JSON objects)")
    return rows, reports, layout

def _clean_chunk(job: FileJob, chunk: list[tuple[int, str]], counts: list[Counter], texts: list[dict[Answer, str]],
                 writer: Any, *, first: bool) -> int:
    """Parse a chunk of lines, resolve its new pairs, write the lines with the fields spliced in."""
    from . import formats as io

    columns, clues = job.columns, job.clues
    clue_fields = list(clues.columns().values())
    taken = {n for c in columns for n in output_names(c)}
    # (body, ending, [(insert position, comma needed) per column], [pair per column]) or blank
    records: list[tuple[str, str, list[tuple[int, bool]] | None, list[Key] | None]] = []
    keys_seen: dict[str, None] = {}
    for number, line in chunk:
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        if not body.strip():
            records.append((body, ending, None, None))
            continue
        try:
            members, close = io.json_members(body)
        except ValueError as exc:
            raise InputFileError(f"{job.input}: line {number}: {exc}") from None
        found: dict[str, tuple[Any, int]] = {}
        for key, value, _start, end in members:
            found.setdefault(key, (value, end))
        if first:
            keys_seen.update(dict.fromkeys(found))
        if not taken.isdisjoint(found):
            clash = min(taken.intersection(found))
            raise ColumnError(f"{job.input}: line {number} already has a field {clash!r}; rename it first")
        hint = clues.hint([clue_cell(found[c][0]) if c in found else None for c in clue_fields])
        line_spots: list[tuple[int, bool]] = []
        line_pairs: list[Key] = []
        for column in columns:
            entry = found.get(column)
            if entry is None:
                line_spots.append((close, bool(members)))
                line_pairs.append((None, hint))
            else:
                line_spots.append((entry[1], True))
                line_pairs.append((hashable(entry[0]), hint))
        records.append((body, ending, line_spots, line_pairs))
    if first and keys_seen:
        for column in columns:
            if column not in keys_seen:
                raise io.missing_column(column, list(keys_seen), name=job.input)
        for what, clue_column in clues.columns().items():
            if clue_column not in keys_seen:
                raise io.missing_column(clue_column, list(keys_seen), name=job.input, what=f"{what} column")
    for record in records:
        if record[3] is not None:
            for counter, pair in zip(counts, record[3]):
                counter[pair] += 1
    answers = job.resolver.answers({pair for r in records if r[3] is not None for pair in r[3]})
    out = []
    rows = 0
    for body, ending, spots, pairs in records:
        if spots is None or pairs is None:
            out.append(body + ending)
            continue
        rows += 1
        inserts = []
        for index, (column, pair, (position, comma)) in enumerate(zip(columns, pairs, spots)):
            answer = answers[pair]
            text = texts[index].get(answer)
            if text is None:
                text = texts[index][answer] = _json_fields(column, answer)
            inserts.append((position, ", " + text if comma else text))
        if len(inserts) > 1:
            inserts.sort(key=lambda item: item[0], reverse=True)
        for position, text in inserts:
            body = body[:position] + text + body[position:]
        out.append(body + ending)
    writer.write("".join(out))
    return rows


def _numbered_chunks(reader: Any, name: str, encoding: str, size: int = 50_000) -> Iterator[list[tuple[int, str]]]:
    number = 0
    chunk: list[tuple[int, str]] = []
    try:
        for line in reader:
            number += 1
            chunk.append((number, line))
            if len(chunk) >= size:
                yield chunk
                chunk = []
    except UnicodeDecodeError:
        raise InputFileError(f"{name}: line {number + 1} is not valid {encoding}; give --encoding") from None
    if chunk:
        yield chunk


def _json_fields(column: str, answer: Answer) -> str:
    values = [getattr(answer, suffix) for suffix in SUFFIXES]
    return ", ".join(f"{json.dumps(name, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}"
                     for name, value in zip(output_names(column), values))
