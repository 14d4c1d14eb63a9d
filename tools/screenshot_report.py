"""Screenshots of a written report, as a reviewer sees it in a browser.

Takes full-page screenshots of ``report.html`` with headless Chromium (the Debian
package ``chromium``; also found as ``chromium-browser`` or ``google-chrome``) at a
1,400 px wide window, plus one of the first screen (1,400 x 900), and prints the page
height and width Chromium reports, so a reviewer can see how long the page is and
whether it overflows the window. Without Chromium it says so and exits with status 0
(nothing to do), so it can sit in scripts.

Run::

    uv run lifecycle report --out report
    uv run python tools/screenshot_report.py report            # -> report/screenshots/

The screenshots are written to ``<report>/screenshots/`` (``first_screen.png``,
``full_page.png``); they are not part of the report and are not byte-stable.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
WIDTH = 1400
#: Headless, and no network of its own: on a closed network Chromium's background
#: connections (updates, sync, QUIC probes) are refused many at a time and slow it down.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def _run(browser: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Chromium with :data:`FLAGS` and a fresh, empty profile folder."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=180,
        )


def find_browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def _shot(browser: str, page: Path, png: Path, height: int) -> None:
    _run(browser, f"--window-size={WIDTH},{height}", f"--screenshot={png}", page.resolve().as_uri())


def _page_size(browser: str, page: Path) -> str:
    """Width and height of the laid-out page, from Chromium's DOM dump of a small script."""
    probe = page.parent / ".size_probe.html"
    probe.write_text(
        page.read_text(encoding="utf-8").replace(
            "</body>",
            "<script>document.title='size '+document.documentElement.scrollWidth+'x'"
            "+document.documentElement.scrollHeight</script></body>",
        ),
        encoding="utf-8",
    )
    try:
        done = _run(browser, f"--window-size={WIDTH},900", "--dump-dom", probe.resolve().as_uri())
    finally:
        probe.unlink(missing_ok=True)
    start = done.stdout.find("<title>size ")
    return done.stdout[start + 12 : done.stdout.find("</title>", start)] if start >= 0 else "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="the report folder (holds report.html)")
    args = parser.parse_args(argv)
    page = args.report / "report.html"
    if not page.is_file():
        print(f"screenshot_report: no report.html in {args.report}", file=sys.stderr)
        return 2
    browser = find_browser()
    if browser is None:
        print("screenshot_report: Chromium is not installed (apt-get install chromium); skipped.")
        return 0
    out = args.report / "screenshots"
    out.mkdir(exist_ok=True)
    size = _page_size(browser, page)
    height = int(size.split("x")[1]) if "x" in size else 20000
    _shot(browser, page, out / "first_screen.png", 900)
    _shot(browser, page, out / "full_page.png", min(height, 30000))
    print(f"page {size} px at a {WIDTH} px window; screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
