"""Open the lookup page of `uanorm serve` in a real headless Chromium and check what it shows.

    python benchmarks/serve_browser_check.py [--home DIR] [--out /tmp/uanorm-serve-check]
                                             [--chromium PATH] [--chromedriver PATH]

Needs Chromium (Debian: `apt-get install -y chromium chromium-driver`); exits 0 with a note
when it is missing. Starts `uanorm serve` on a free port, then:
1. `chromium --headless --dump-dom` of /?q=Lisichansk, /?q=Іванівка&oblast=Kharkiv and
   /?q=Іванівка&raion=Вовчанський район (a raion of before 2020): after the page's script ran, the
   DOM must show the status (matched / ambiguous) and the method, the candidates with the IDs
   /api/lookup gives, the explanation, the types list; nothing loaded from outside;
2. the entity page of Bakhmut: names, former name with its years, codes (KOATUU too), the city
   council of before 2020, map link;
3. with chromedriver (W3C WebDriver, spoken over plain HTTP): type "Lisich" into the box and
   wait for the suggestions, the first of which must be Lysychansk;
4. screenshots into OUT: lookup.png (ambiguous answer), suggest.png (suggestions open),
   entity.png (Bakhmut's page), former.png (a raion of before 2020: its successor and where its
   settlements are now).
Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from annotate_browser_check import FLAGS, _Dom, find_chromium, run_chromium
from serve_process import free_port, running_service

LYSYCHANSK = "UA44120050010021900"
BAKHMUT = "UA14020010010059145"
FORMER_RAION = "koatuu:1421500000"  # Volnovaskyi raion of Donetsk oblast, before 2020
EXTRA_FLAGS = ("--disable-quic", "--virtual-time-budget=15000")
W3C_ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def dump(browser: str, profile: Path, url: str) -> str:
    """The DOM of URL after its scripts ran (and their fetches came back)."""
    done = run_chromium(browser, profile, *EXTRA_FLAGS, "--dump-dom", url)
    if done.returncode != 0:
        raise RuntimeError(f"chromium --dump-dom failed ({done.returncode}): {done.stderr.strip()[:300]}")
    return done.stdout


def check_answer(browser: str, profile: Path, base: str, params: dict[str, str], status: str) -> list[str]:
    """The lookup page for PARAMS, as rendered, against the JSON the page asked for."""
    import httpx

    expected = httpx.get(f"{base}/api/lookup", params=params, timeout=30).json()
    dom_text = dump(browser, profile, f"{base}/?{urlencode(params)}")
    dom = _Dom()
    dom.feed(dom_text)
    failures = []
    if expected["status"] != status:
        failures.append(f"/api/lookup says {expected['status']} for {params}, expected {status}")
    if f'class="status status-{status}">{status}<' not in dom_text:
        failures.append(f"{params}: the page does not show the status {status}")
    rendered_ids = [line.split('"')[0] for line in dom_text.split('<tr data-id="')[1:]]
    if rendered_ids != [c["id"] for c in expected["candidates"]]:
        failures.append(f"{params}: candidates rendered {rendered_ids}, the API gave {len(expected['candidates'])}")
    if expected["explanation"].split(";")[0] not in dom_text:
        failures.append(f"{params}: the explanation is not shown")
    if expected["method"] and f">by {expected['method']}<" not in dom_text:
        failures.append(f"{params}: the method {expected['method']!r} is not shown")
    if dom_text.count("<option") < 10:
        failures.append("the type list was not filled from /suggest/type")
    if dom.outside:
        failures.append(f"outside resources: {dom.outside[:3]}")
    print(f"{params}: {status} by {expected['method']}, {len(rendered_ids)} candidates rendered")
    return failures


def check_entity_page(browser: str, profile: Path, base: str) -> list[str]:
    """Bakhmut's page, as rendered: names, former name, codes, the unit of before 2020, map link."""
    dom_text = dump(browser, profile, f"{base}/entity/{BAKHMUT}")
    wanted = ["Bakhmut", "Бахмут", "Артемівськ", "1924\u20132016", "UA1402001001", "1410300000",
              "Raion before 2020", 'href="/entity/koatuu:1410300000"', "openstreetmap.org/?mlat="]
    return [f"entity page: {w!r} missing" for w in wanted if w not in dom_text]


class WebDriver:
    """The few W3C WebDriver commands the check needs, sent to chromedriver over HTTP."""

    def __init__(self, driver: str, browser: str, profile: Path) -> None:
        import httpx

        port = free_port()
        self.process = subprocess.Popen([driver, f"--port={port}"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
        deadline = time.monotonic() + 30
        while not self._ready():
            if time.monotonic() > deadline:
                raise RuntimeError("chromedriver did not start")
            time.sleep(0.2)
        options = {"binary": browser, "args": [*FLAGS, "--disable-quic", f"--user-data-dir={profile}",
                                               "--window-size=1280,900"]}
        answer = self.http.post("/session", json={"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}})
        self.session = answer.json()["value"]["sessionId"]

    def command(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One WebDriver command on the session; its value."""
        answer = self.http.request(method, f"/session/{self.session}{path}", json=body)
        value = answer.json()["value"]
        if answer.status_code != 200:
            raise RuntimeError(f"webdriver {path}: {value.get('message', value)}")
        return value

    def run(self, script: str, *args: Any) -> Any:
        """Run JavaScript in the page; its return value."""
        return self.command("POST", "/execute/sync", {"script": script, "args": list(args)})

    def type_into(self, css: str, text: str) -> None:
        """Send keystrokes to the element CSS selects."""
        element = self.command("POST", "/element", {"using": "css selector", "value": css})[W3C_ELEMENT]
        self.command("POST", f"/element/{element}/value", {"text": text})

    def screenshot(self, path: Path) -> None:
        """Save the viewport as PNG."""
        path.write_bytes(base64.b64decode(self.command("GET", "/screenshot")))

    def _ready(self) -> bool:
        import httpx

        try:
            return bool(self.http.get("/status").json()["value"]["ready"])
        except (httpx.HTTPError, ValueError, KeyError):  # not listening yet
            return False

    def wait_for(self, script: str, seconds: float = 30) -> Any:
        """Poll a JavaScript expression until it is truthy; its value."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.run(f"return {script};")
            if value:
                return value
            time.sleep(0.1)
        raise RuntimeError(f"timed out waiting for {script}")

    def quit(self) -> None:
        """End the session and the driver."""
        try:
            self.http.delete(f"/session/{self.session}")
        finally:
            self.process.terminate()
            self.process.wait(timeout=30)


def check_typing(driver_path: str, browser: str, profile: Path, base: str, out: Path) -> list[str]:
    """Type into the search box: suggestions must appear, Lysychansk first; screenshots of the page."""
    driver = WebDriver(driver_path, browser, profile)
    try:
        driver.command("POST", "/url", {"url": f"{base}/"})
        driver.type_into("#q", "Lisich")
        ids = driver.wait_for("(() => { const ids = [...document.querySelectorAll('#suggestions li')]"
                              ".map(li => li.dataset.id); return ids.length ? ids : null; })()")
        driver.screenshot(out / "suggest.png")
        print(f"typing 'Lisich': {len(ids)} suggestions, first {ids[0]}; screenshot {out / 'suggest.png'}")
        failures = [] if ids[0] == LYSYCHANSK else [f"first suggestion for 'Lisich' is {ids[0]}, not Lysychansk"]
        driver.command("POST", "/url", {"url": f"{base}/?{urlencode({'q': 'Іванівка', 'oblast': 'Kharkiv'})}"})
        driver.wait_for("document.querySelectorAll('#candidates tbody tr').length")
        driver.screenshot(out / "lookup.png")
        driver.command("POST", "/url", {"url": f"{base}/entity/{BAKHMUT}"})
        driver.wait_for("document.readyState === 'complete'")
        driver.screenshot(out / "entity.png")
        driver.command("POST", "/url", {"url": f"{base}/entity/{FORMER_RAION}"})
        driver.wait_for("document.readyState === 'complete'")
        driver.screenshot(out / "former.png")
        print(f"screenshots: {out / 'lookup.png'}, {out / 'entity.png'}, {out / 'former.png'}")
        return failures
    finally:
        driver.quit()


def check(base: str, out: Path, browser: str, driver: str | None) -> list[str]:
    """Every check against the service at BASE; the failures (empty when all pass)."""
    out.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="uanorm-chromium-") as profile:
        failures += check_answer(browser, Path(profile), base, {"q": "Lisichansk"}, "matched")
        failures += check_answer(browser, Path(profile), base, {"q": "Іванівка", "oblast": "Kharkiv"}, "ambiguous")
        failures += check_answer(browser, Path(profile), base, {"q": "Іванівка", "raion": "Вовчанський район"},
                                 "matched")
        failures += check_entity_page(browser, Path(profile), base)
    if driver is None:
        print("chromedriver not found: typing and screenshots skipped (apt-get install -y chromium-driver)")
        return failures
    with tempfile.TemporaryDirectory(prefix="uanorm-chromedriver-") as profile:
        failures += check_typing(driver, browser, Path(profile), base, out)
    return failures


def main(argv: list[str] | None = None) -> int:
    """Start the service and check its lookup page in Chromium, if there is one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="gazetteer home (default: $UANORM_HOME or the user data dir)")
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "uanorm-serve-check"))
    parser.add_argument("--chromium", help="path of the browser (default: found on PATH)")
    parser.add_argument("--chromedriver", help="path of chromedriver (default: found on PATH)")
    args = parser.parse_args(argv)
    browser, driver = find_chromium(args.chromium), args.chromedriver or shutil.which("chromedriver")
    if browser is None:
        print("chromium not found: browser check skipped (apt-get install -y chromium)")
        return 0
    with running_service(home=args.home) as base:
        failures = check(base, Path(args.out), browser, driver)
    print("".join(f"FAIL: {failure}\n" for failure in failures), end="")
    print(f"browser check: {'failed' if failures else 'passed'}")
    return int(bool(failures))


if __name__ == "__main__":
    raise SystemExit(main())
