"""Wall time of `eventstudy check` and of the extraction it starts with.

Run: ``.venv/bin/python benchmarks/bench_check.py [--runs N]``

Prints, with the price files in the OS cache:

- loading the French parser (spaCy's ``fr_core_news_sm``) in a fresh interpreter, CPU seconds
  (target: under 5 s; it is loaded on first need only);
- ``extract`` of a 1,000-word French article in process, the parser already loaded: best and
  median of N runs (target: under 1 s);
- ``eventstudy extract`` of a 123 KB article written as one sentence, as a whole process (issue 25:
  it took 39 s when a pass over the sentence ran once per date mention);
- ``eventstudy check`` on a one-page article (``tests/corpus/dev/en_smci_march.txt``) and on the
  1,000-word article, each as a whole process with ``--figures none``: best and median of N runs
  (wall), and the median CPU time (user + system)
  (issue 22: a 1,000-word article under 3 s; issue 24: a one-page article under 2 s);
- where the CPU time of ``check`` on the one-page article goes, stage by stage, in a fresh
  interpreter (the stages' boundaries are the run's progress messages), whether it loaded spaCy
  (it should not: the rules find every subject), and what the three costliest imports take alone.

``eventstudy``'s modules are byte-compiled first, as ``pip install`` leaves them (an editable
checkout under ``PYTHONDONTWRITEBYTECODE`` would otherwise compile them in every process).

Timings on this project's 2-vCPU machine vary by up to 2x from run to run; the medians are what
to compare.
"""

from __future__ import annotations

import argparse
import compileall
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRICES = REPO.parent / "shared" / "data" / "prices"
CORPUS = REPO / "tests" / "corpus" / "dev"
PARSER_LOAD = (
    "import time; from eventstudy.articles.parser import load; t = time.process_time(); load(); "
    "print(time.process_time() - t)"
)

STAGES = """
import sys, time, warnings
warnings.simplefilter("ignore")
marks = [("interpreter and eventstudy.checking", time.process_time())]
from eventstudy.checking import check
from eventstudy.market import CsvDirectorySource
from eventstudy.report import write_report
marks.append(("importing pandas, the price source, the report", time.process_time()))
names = {"fitting": "drafting, price files, calendars, plan", "testing": "fitting pairs, judging the claims",
         "the study's placebo": "tests table (scipy.stats import included)"}
def say(message, *count):
    for start, name in names.items():
        if message.startswith(start) and name not in dict(marks):
            marks.append((name, time.process_time()))
spec, res = check([sys.argv[1]], CsvDirectorySource(sys.argv[2]), out=sys.argv[3], progress=say)
marks.append(("placebo run (cached on disk after a first run)", time.process_time()))
write_report(res, sys.argv[3], figure_format="none", extra={"draft.toml": spec.extra["draft.toml"]})
marks.append(("report files (md, html, json, csv)", time.process_time()))
last = 0.0
for name, at in marks:
    print(f"{name}\t{at - last:.2f}")
    last = at
print(f"spaCy loaded\t{'yes' if 'spacy' in sys.modules else 'no'}")
"""
IMPORTS = {
    "scipy.stats (numpy imported)": "import numpy; t = time.process_time(); import scipy.stats",
    "exchange_calendars, the XNAS calendar": (
        "import pandas; t = time.process_time(); import exchange_calendars; exchange_calendars.get_calendar('XNAS')"
    ),
    "pandas": "t = time.process_time(); import pandas",
}


def cpu(code: str) -> float:
    """CPU seconds of ``code`` after ``t = time.process_time()``, in a fresh interpreter."""
    run = subprocess.run([sys.executable, "-c", f"import time; {code}; print(time.process_time() - t)"],
                         check=True, capture_output=True, text=True)  # fmt: skip
    return float(run.stdout)


def stages(article: Path, out: Path) -> None:
    """Print where the CPU time of ``check`` on ``article`` goes (one fresh interpreter)."""
    argv = [sys.executable, "-c", STAGES, str(article), str(PRICES), str(out)]
    run = subprocess.run(argv, check=True, capture_output=True, text=True, cwd=tempfile.gettempdir())
    print(f"where the CPU time of check goes, {article.name}:")
    for row in run.stdout.splitlines():
        name, value = row.split("\t")
        print(f"  {name:50} {value:>6}" + " s" * (value != "no" and value != "yes"))
    for name, code in IMPORTS.items():
        print(f"  {'import ' + name:50} {statistics.median(cpu(code) for _ in range(3)):6.2f} s (median of 3, alone)")


def thousand_words(folder: Path) -> Path:
    """A French article of at least 1,000 words: a dated header, then one article's paragraphs repeated."""
    paragraphs = [p for p in (CORPUS / "fr_tarifs_jeudi.txt").read_text(encoding="utf-8").split("\n") if p]
    body = "\n".join(paragraphs[2:])
    text = "Les Echos, jeudi 10 avril 2025\n\n" + "\n".join([body] * (1 + 1000 // max(len(body.split()), 1)))
    path = folder / "long.txt"
    path.write_text(text, encoding="utf-8")
    return path


def one_sentence(folder: Path, size: int = 123_000) -> Path:
    """An article of ``size`` bytes that is one sentence: claims, weekdays and asides, seeded."""
    rng = random.Random(25)
    sentence = ("Oracle a grimpé de 7 % mercredi , tandis que Nvidia , Arm et SoftBank progressaient de 2,3 % et "
                "4,1 % selon les analystes qui estiment que le marché")  # fmt: skip
    words = sentence.split(" ")
    text = "date 2025-01-22\n" + " ".join(rng.choice(words) for _ in range(size // 4))
    path = folder / "one_sentence.txt"
    path.write_text(text[: size - 1] + ".", encoding="utf-8")
    return path


def timed_process(argv: list[str], cpu: list[float] | None = None) -> float:
    """Wall seconds of a whole process; its CPU seconds (user + system) appended to ``cpu``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, cwd=tempfile.gettempdir(), capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall


def line(name: str, times: list[float], cpu: list[float] | None = None) -> str:
    text = f"{name:52} best {min(times):6.2f} s   median {statistics.median(times):6.2f} s"
    return text + (f"   CPU median {statistics.median(cpu):5.2f} s" if cpu else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    compileall.compile_dir(REPO / "eventstudy", quiet=1)  # as pip does for an installed package
    with tempfile.TemporaryDirectory() as tmp:
        long = thousand_words(Path(tmp))
        words = len(long.read_text(encoding="utf-8").split())
        load = subprocess.run([sys.executable, "-c", PARSER_LOAD], check=True, capture_output=True, text=True)
        print(f"{'parser load (CPU seconds, fresh interpreter)':52} {float(load.stdout):6.2f} s")

        from eventstudy.articles import extract
        from eventstudy.articles.parser import load as load_parser

        load_parser()
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            extract([long])
            times.append(time.perf_counter() - t0)
        print(line(f"extract, {words} words, in process", times))

        argv = [sys.executable, "-m", "eventstudy", "extract", str(one_sentence(Path(tmp))), "--quiet"]
        print(line("eventstudy extract, 123 KB in one sentence", [timed_process(argv) for _ in range(args.runs)]))

        for name, article in (("one page", CORPUS / "en_smci_march.txt"), (f"{words} words", long)):
            argv = [sys.executable, "-m", "eventstudy", "check", str(article), "--prices", str(PRICES), "--figures",
                    "none", "--quiet"]  # fmt: skip
            cpu: list[float] = []
            times = [timed_process([*argv, "--out", str(Path(tmp) / f"out{i}")], cpu) for i in range(args.runs)]
            print(line(f"eventstudy check, {name}, whole process", times, cpu))
        stages(CORPUS / "en_smci_march.txt", Path(tmp) / "stages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
