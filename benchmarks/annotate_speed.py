"""Speed of `Normalizer.annotate` on a 5,000-word article, after the matcher is loaded.

    python benchmarks/annotate_speed.py [--home DIR] [--words 5000] [--runs 30]

Two articles of about `--words` words each:
  news    paragraphs of the seed article and of the golden passages (English, Ukrainian,
          Russian), cycled in a fixed shuffled order until the word count is reached;
  names   generated sentences that each name a different place or person of the
          gazetteer (cities, oblasts, persons, inflected Ukrainian forms): a worst case
          for the per-span resolution cache.
Timings:
  cold    the first annotation of the article by a fresh Normalizer (its resolve cache
          empty; the prefilter vocabulary and the morphology dictionaries already loaded by
          a warm-up on another text: "after the matcher is loaded");
  warm    p50 / p90 / min over `--runs` repeated annotations (answers cached);
  cpu     the same in process CPU time, which a busy machine disturbs less than wall time.
Also printed: the one-off cost of loading the prefilter vocabulary.
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from normalizer import Normalizer
from normalizer.text.vocabulary import load_vocabulary

_MARK = re.compile(r"\[\[([^\[\]|]+)\|[^\[\]]+\]\]")
WARM_UP = "Обстріл Харкова і Києва; бои под Бахмутом. Kyiv region, Sergei Gaidai."


def news_paragraphs() -> list[str]:
    """Paragraphs of the seed article and the golden passages (marks removed)."""
    texts = [(ROOT / "seeds" / "kyiv-missiles-2022-06.txt").read_text(encoding="utf-8")]
    for path in sorted((ROOT / "tests" / "golden" / "annotate").glob("*.txt")):
        if "seed" not in path.name:
            texts.append(_MARK.sub(r"\1", path.read_text(encoding="utf-8")))
    paragraphs = [p.strip() for text in texts for p in re.split(r"\n\s*\n", text) if len(p.split()) >= 8]
    return paragraphs


def build_article(paragraphs: list[str], words: int, seed: int = 6) -> str:
    """Paragraphs in a fixed shuffled order, cycled until `words` words."""
    rng = random.Random(seed)
    order = paragraphs[:]
    chosen: list[str] = []
    count = 0
    while count < words:
        rng.shuffle(order)
        for paragraph in order:
            chosen.append(paragraph)
            count += len(paragraph.split())
            if count >= words:
                break
    return "\n\n".join(chosen)


def names_article(normalizer: Normalizer, words: int, seed: int = 6) -> str:
    """Sentences that each name a different city, oblast or person of the index."""
    db = sqlite3.connect(f"file:{normalizer.index_path}?mode=ro", uri=True)
    rows = db.execute("SELECT kind, name, name_uk FROM entity WHERE kind IN ('city', 'oblast', 'person') "
                      "AND name_uk IS NOT NULL ORDER BY eid").fetchall()
    db.close()
    rng = random.Random(seed)
    rng.shuffle(rows)
    english = ["Shelling was reported in {} on Tuesday, officials said.",
               "Residents of {} were told to stay in shelters overnight.",
               "A drone struck an energy facility near {}, the military said."]
    ukrainian = ["Вчора ввечері у {} пролунали вибухи, повідомили місцеві медіа.",
                 "Жителі {} отримали гуманітарну допомогу від волонтерів."]
    sentences: list[str] = []
    count = 0
    for position, (kind, name, name_uk) in enumerate(rows):
        if kind == "person":
            sentence = f"{name} said the situation remained difficult but under control."
        elif position % 3 == 2:
            sentence = rng.choice(ukrainian).format(name_uk)
        else:
            sentence = rng.choice(english).format(name)
        sentences.append(sentence)
        count += len(sentence.split())
        if count >= words:
            break
    return "\n\n".join(" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4))


def measure(home: str | None, article: str, runs: int) -> dict[str, float]:
    """Cold and warm timings (ms) of annotating `article`."""
    normalizer = Normalizer(home)
    normalizer.annotate(WARM_UP)
    started, cpu = time.perf_counter(), time.process_time()
    mentions = normalizer.annotate(article)
    cold, cold_cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
    times, cpu_times = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        normalizer.annotate(article)
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu) * 1000)
    normalizer.close()
    times.sort()
    return {"mentions": len(mentions), "cold": cold, "cold_cpu": cold_cpu, "p50": statistics.median(times),
            "p90": times[int(0.9 * (len(times) - 1))], "min": times[0], "cpu_p50": statistics.median(cpu_times)}


def main(argv: list[str] | None = None) -> int:
    """Print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="gazetteer home (default: $UANORM_HOME or the user data dir)")
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    normalizer = Normalizer(args.home)
    started = time.perf_counter()
    vocabulary = load_vocabulary(normalizer.index_path)
    print(f"prefilter vocabulary: {len(vocabulary.names):,} name keys, {len(vocabulary.first_words):,} first words, "
          f"{len(vocabulary.surnames):,} surname keys; loaded in {(time.perf_counter() - started) * 1000:.0f} ms "
          "(once per index file)")
    articles = {"news": build_article(news_paragraphs(), args.words),
                "names": names_article(normalizer, args.words)}
    normalizer.close()
    for label, article in articles.items():
        figures = measure(args.home, article, args.runs)
        print(f"{label:6} {len(article.split()):,} words, {len(article):,} chars, {figures['mentions']} mentions: "
              f"cold {figures['cold']:.1f} ms (cpu {figures['cold_cpu']:.1f}); warm p50 {figures['p50']:.1f} ms, "
              f"p90 {figures['p90']:.1f} ms, min {figures['min']:.1f} ms, cpu p50 {figures['cpu_p50']:.1f} ms "
              f"({args.runs} runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
