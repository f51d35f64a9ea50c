"""Open the HTML of `uanorm annotate` in a real headless browser and check what it renders.

    python benchmarks/annotate_browser_check.py [--home DIR] [--file seeds/kyiv-missiles-2022-06.txt]
                                                [--out /tmp/annotate-check] [--chromium PATH]

Needs Chromium (Debian: `apt-get install -y chromium`); exits 0 with a note when it is
missing, so it can run anywhere. Steps:
1. annotate FILE with --format html (through the CLI, as a user would);
2. `chromium --headless --dump-dom`: the DOM after the browser parsed the page must hold
   one <mark> per mention, with the entity IDs of the JSON output, in the same order, and
   the entities table; the page must load nothing from outside (no src/href to http);
3. `chromium --headless --screenshot` at 1280x1600 into OUT/annotate.png, to look at, and
   two variants: OUT/annotate-tooltip.png (one hover tooltip forced visible) and
   OUT/annotate-table.png (the entities table without the text).
Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import html.parser
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars")


def find_chromium(explicit: str | None = None) -> str | None:
    """The path of a Chromium-like browser, or None."""
    if explicit:
        return explicit if Path(explicit).exists() or shutil.which(explicit) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class _Dom(html.parser.HTMLParser):
    """The marks, table rows and outside references of a rendered DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[str] = []
        self.rows = 0
        self.outside: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "mark":
            self.marks.append(attributes.get("data-id") or "")
        if tag == "tr":
            self.rows += 1
        for key in ("src", "href"):
            value = attributes.get(key) or ""
            if value.startswith(("http:", "https:", "//")):
                self.outside.append(value)


def run_chromium(browser: str, profile: Path, *args: str, timeout: int = 90) -> subprocess.CompletedProcess[str]:
    """Run the browser headless with a throw-away profile."""
    command = [browser, *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def annotate(file: Path, fmt: str) -> str:
    """The CLI's output for FILE in a format."""
    from normalizer.cli import main

    with tempfile.NamedTemporaryFile("r", suffix=f".{fmt}", delete=False, encoding="utf-8") as handle:
        output = Path(handle.name)
    try:
        status = main(["annotate", str(file), "--format", fmt, "-o", str(output)])
        if status != 0:
            raise SystemExit(f"uanorm annotate failed with status {status}")
        return output.read_text(encoding="utf-8")
    finally:
        output.unlink(missing_ok=True)


def check(file: Path, out: Path, browser: str) -> list[str]:
    """Run the checks; the list of failures (empty when all pass)."""
    out.mkdir(parents=True, exist_ok=True)
    page = out / "annotate.html"
    page.write_text(annotate(file, "html"), encoding="utf-8")
    expected = [m["id"] for m in json.loads(annotate(file, "json"))["mentions"]]
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="uanorm-chromium-") as profile:
        dumped = run_chromium(browser, Path(profile), "--dump-dom", page.as_uri())
        if dumped.returncode != 0 or "<mark" not in dumped.stdout:
            return [f"chromium --dump-dom failed ({dumped.returncode}): {dumped.stderr.strip()[:300]}"]
        dom = _Dom()
        dom.feed(dumped.stdout)
        if dom.marks != expected:
            failures.append(f"{len(dom.marks)} marks rendered, {len(expected)} mentions in the JSON, or another order")
        entities = len(set(expected))
        if dom.rows != entities + 1:
            failures.append(f"entities table has {dom.rows - 1} rows, expected {entities}")
        if dom.outside:
            failures.append(f"outside resources: {dom.outside[:3]}")
        shot = out / "annotate.png"
        shot.unlink(missing_ok=True)
        taken = run_chromium(browser, Path(profile), f"--screenshot={shot}", "--window-size=1280,1600",
                             page.as_uri())
        if not shot.exists() or shot.stat().st_size < 10_000:
            failures.append(f"no screenshot ({taken.returncode}): {taken.stderr.strip()[:300]}")
        else:
            print(f"screenshot: {shot} ({shot.stat().st_size:,} bytes)")
        # a static screenshot cannot hover: a copy of the page shows the tooltip of its 5th mark,
        # and a copy without the text shows the entities table at the top
        for name, css in (("tooltip", ("mark:nth-of-type(5)::after{content:attr(data-tip);position:absolute;left:0;"
                                       "top:1.9em;z-index:10;white-space:nowrap;background:#263238;color:#fff;"
                                       "font:12px/1.4 system-ui,sans-serif;padding:3px 7px;border-radius:4px}")),
                          ("table", ".text{display:none}")):
            variant = out / f"annotate-{name}.html"
            variant.write_text(page.read_text(encoding="utf-8").replace("</style>", css + "</style>", 1),
                               encoding="utf-8")
            image = out / f"annotate-{name}.png"
            run_chromium(browser, Path(profile), f"--screenshot={image}", "--window-size=1280,900",
                         variant.as_uri())
            print(f"screenshot: {image}")
    print(f"page: {page}; {len(dom.marks)} marks, {dom.rows - 1} entities in the table")
    return failures


def main(argv: list[str] | None = None) -> int:
    """Check the HTML page in Chromium, if there is one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="gazetteer home (default: $UANORM_HOME or the user data dir)")
    parser.add_argument("--file", default=str(ROOT / "seeds" / "kyiv-missiles-2022-06.txt"))
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "uanorm-annotate-check"))
    parser.add_argument("--chromium", help="path of the browser (default: found on PATH)")
    args = parser.parse_args(argv)
    if args.home:
        os.environ["UANORM_HOME"] = args.home
    browser = find_chromium(args.chromium)
    if browser is None:
        print("chromium not found: browser check skipped (apt-get install -y chromium)")
        return 0
    failures = check(Path(args.file), Path(args.out), browser)
    for failure in failures:
        print(f"FAIL: {failure}")
    print("browser check:", "failed" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
