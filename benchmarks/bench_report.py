"""Wall time of the Stargate study, split into import, data, compute and report.

Run: ``.venv/bin/python benchmarks/bench_report.py``

"Import" is a fresh interpreter importing ``eventstudy.cli`` (what the
command line pays before any work); "data", "compute" and "report" are
timed in-process with the files already in the OS cache (warm). "CLI total"
is the whole ``eventstudy run`` command in a subprocess. Targets: import
under 0.5 s, total under 3 s.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRICES = REPO.parent / "shared" / "data" / "prices"
STUDY = REPO / "seeds" / "stargate.toml"


def fresh(code: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    return time.perf_counter() - t0


def main() -> None:
    base = min(fresh("pass") for _ in range(3))
    imp = min(fresh("import eventstudy.cli") for _ in range(3)) - base
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "eventstudy",
            "run",
            str(STUDY),
            "--prices",
            str(PRICES),
            "--out",
            tmp + "/r",
            "-q",
        ]
        subprocess.run(cmd, check=True)  # warm the OS file cache
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        total = time.perf_counter() - t0

        from eventstudy.data import CsvDirectorySource
        from eventstudy.report import write_report
        from eventstudy.spec import load_study
        from eventstudy.study import EventStudy

        t0 = time.perf_counter()
        spec = load_study(STUDY)
        study = EventStudy(spec, CsvDirectorySource(PRICES))
        frames = study._fetch(study.pairs(), lambda _m: None)
        data = time.perf_counter() - t0
        t0 = time.perf_counter()
        res = study.run()
        compute = time.perf_counter() - t0 - 0.0
        t0 = time.perf_counter()
        write_report(res, Path(tmp) / "r2")
        report = time.perf_counter() - t0
    print(f"interpreter start        {base:6.3f} s (not counted)")
    print(f"import eventstudy.cli    {imp:6.3f} s   target < 0.5 s")
    print(f"data (spec + prices)     {data:6.3f} s   ({len(frames)} symbols)")
    print(f"compute (run, incl. data){compute:6.3f} s")
    print(f"report (md, csv, png)    {report:6.3f} s")
    print(f"CLI total (subprocess)   {total:6.3f} s   target < 3 s")


if __name__ == "__main__":
    main()
