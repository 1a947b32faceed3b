"""Check a report.html in headless Chromium: it renders, its images decode, its sections exist.

Usage::

    python scripts/check_html.py reports/stargate/report.html --screenshot /tmp/report.png

The page is loaded twice, from a private temporary profile, with networking
features off: once as a copy with a small probe script added (the report
itself has no script) that records load errors, images that failed to
decode, resources fetched from anywhere and whether the page scrolls
sideways, read back with ``--dump-dom``; then as is for a full-page
screenshot. Exit status 0 when no problem is found, 1 otherwise (each
problem on a line), 2 when Chromium is not installed.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

WIDTH = 1280  # CSS pixels, a laptop browser window
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
PROBE = """<script>
window.__es_errors = [];
window.addEventListener("error", function (e) {
  var t = e.target && e.target !== window ? (e.target.tagName || "?") + " failed to load" : String(e.message);
  window.__es_errors.push(t);
}, true);
window.addEventListener("load", function () {
  var out = {errors: window.__es_errors, images: [], sections: [], overflow: [],
             resources: performance.getEntriesByType("resource").map(function (r) { return r.name; }),
             width: document.documentElement.scrollWidth, viewport: window.innerWidth,
             height: document.documentElement.scrollHeight};
  Array.prototype.forEach.call(document.images, function (im) {
    out.images.push({ok: im.complete && im.naturalWidth > 0, width: im.naturalWidth, alt: im.alt});
  });
  document.querySelectorAll("[id]").forEach(function (el) { out.sections.push(el.id); });
  document.querySelectorAll("div.scroll").forEach(function (el) {
    if (el.scrollWidth > el.clientWidth + 1) {
      var head = el.querySelector("th");
      out.overflow.push((el.firstElementChild.className || "table") + " [" + (head ? head.textContent : "") + "] "
                        + el.scrollWidth + " > " + el.clientWidth + " px");
    }
  });
  var over = function (el) { return el.getBoundingClientRect().right > window.innerWidth + 1; };
  out.wide = [];
  document.querySelectorAll("body *").forEach(function (el) {  // the innermost elements past the right edge
    if (over(el) && !el.closest("div.scroll") && !Array.prototype.some.call(el.children, over)) {
      out.wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " ending at "
                    + Math.round(el.getBoundingClientRect().right) + " px: " + (el.textContent || "").slice(0, 50));
    }
  });
  var pre = document.createElement("pre");
  pre.id = "es-probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def find_chromium() -> str | None:
    """Path of a Chromium-family browser on PATH, or None."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run the browser in its own process group, killed whole on timeout."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise RuntimeError(f"chromium did not finish within {timeout:.0f} s") from None
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def _browser(chromium: str, extra: list[str], url: str, timeout: float) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="es-chromium-") as profile:
        return _run([chromium, *FLAGS, f"--user-data-dir={profile}", *extra, url], timeout)


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.srcs: list[str] = []
        self.probe: list[str] = []
        self._in_probe = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "img":
            self.srcs.append(attr.get("src") or "")
        self._in_probe = tag == "pre" and attr.get("id") == "es-probe"

    def handle_endtag(self, tag: str) -> None:
        self._in_probe = False

    def handle_data(self, data: str) -> None:
        if self._in_probe:
            self.probe.append(data)


def check_report(
    html_path: str | Path,
    sections: list[str] = (),  # type: ignore[assignment]
    *,
    screenshot: str | Path | None = None,
    chromium: str | None = None,
    timeout: float = 60.0,
    max_height: int = 16000,
) -> list[str]:
    """Render ``html_path`` in Chromium and return the problems found (empty when fine).

    The screenshot covers the top of the page, at most ``max_height`` CSS pixels.
    """
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError("no chromium on PATH (Debian: apt-get install -y chromium)")
    html_path = Path(html_path).resolve()
    page = html_path.read_text(encoding="utf-8")
    problems = []
    with tempfile.TemporaryDirectory(prefix="es-probe-") as tmp:
        probe = Path(tmp) / "probe.html"
        probe.write_text(page.replace("<head>", "<head>\n" + PROBE, 1), encoding="utf-8")
        flags = ["--dump-dom", "--virtual-time-budget=3000", f"--window-size={WIDTH},1000"]
        done = _browser(chromium, flags, probe.as_uri(), timeout)
    parser = _Images()
    parser.feed(done.stdout)
    if not parser.probe:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        return [f"chromium rendered nothing (exit {done.returncode}); stderr ends:\n{tail}"]
    seen = json.loads("".join(parser.probe))
    problems += [f"page error: {e}" for e in seen["errors"]]
    problems += [f"resource fetched: {r}" for r in seen["resources"]]
    problems += [f"broken image: {im['alt']!r}" for im in seen["images"] if not im["ok"]]
    problems += [f"missing section id: {s}" for s in sections if s not in seen["sections"]]
    problems += [f"table wider than the page: {c}" for c in seen["overflow"]]
    if seen["width"] > seen["viewport"]:
        widest = "; ".join(seen.get("wide", [])[:3])
        problems.append(f"page scrolls sideways: {seen['width']} px wide in a {seen['viewport']} px window ({widest})")
    for i, src in enumerate(parser.srcs):
        head, _, data = src.partition(",")
        if head == "data:image/svg+xml;base64":
            if b"<svg" not in base64.b64decode(data)[:500]:
                problems.append(f"image {i} does not decode as SVG")
        elif head != "data:image/png;base64":
            problems.append(f"image {i} is not an embedded SVG or PNG: {src[:40]!r}")
        elif base64.b64decode(data)[:8] != PNG_MAGIC:
            problems.append(f"image {i} does not decode as PNG")
    if screenshot is not None:
        height = min(int(seen["height"]) + 20, max_height)
        flags = [f"--screenshot={Path(screenshot).resolve()}", f"--window-size={WIDTH},{height}"]
        shot = _browser(chromium, flags, html_path.as_uri(), timeout)
        if not Path(screenshot).exists() or Path(screenshot).read_bytes()[:8] != PNG_MAGIC:
            problems.append(f"no screenshot written (exit {shot.returncode})")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command line: check one report and print its problems."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", type=Path, help="report.html to check")
    parser.add_argument("--screenshot", type=Path, help="write a full-page PNG screenshot here")
    parser.add_argument("--section", action="append", default=[], help="an element id that must exist (repeatable)")
    parser.add_argument("--height", type=int, default=16000, help="screenshot height cap in pixels (default 16000)")
    args = parser.parse_args(argv)
    if find_chromium() is None:
        print("chromium not found (Debian: apt-get install -y chromium)", file=sys.stderr)
        return 2
    problems = check_report(args.html, args.section, screenshot=args.screenshot, max_height=args.height)
    for p in problems:
        print(p)
    if not problems:
        print(f"ok: {args.html}" + (f"; screenshot {args.screenshot}" if args.screenshot else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
