"""Run the bad-input cases (test_bad_input_more.py, test_bad_input_round3.py) on a checkout; count outcomes.

Usage: ``.venv/bin/python scripts/bad_input_survey.py [--tree DIR] [--timeout S] [--group NAME]``

Groups: issue and more (issue 12), round3 (issue 25's listed cases), round3-own
(``MORE_ROUND3_CASES``: issue 25's cases of our own).

``--tree`` is the root of another checkout of eventstudy (say an older commit
unpacked with ``git archive``); its package is put first on ``PYTHONPATH``.
Every case runs as ``python -m eventstudy ...`` in a fresh temporary
directory and is classed as: named (exit 2, one ``error:`` line naming the
culprit), exit 2 unnamed, traceback, hang (no answer within the timeout),
wrong success (exit 0), or other.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from synthetic import make_market  # noqa: E402
from test_bad_input_more import ISSUE_CASES, MORE_CASES, Kit  # noqa: E402
from test_bad_input_round3 import MORE_ROUND3_CASES, ROUND3_CASES  # noqa: E402

OUTCOMES = ("named", "exit 2 unnamed", "traceback", "hang", "wrong success", "other")


def classify(code: int | None, err: str, names: tuple[str, ...]) -> str:
    """The outcome of one case (see the module doc); ``code`` None: timed out."""
    lines = err.strip().splitlines()
    if code is None:
        return "hang"
    if "Traceback" in err or code == 1:
        return "traceback"
    if code == 0:
        return "wrong success"
    if code == 2:
        one = len(lines) == 1 and lines[0].startswith("error: ")
        return "named" if one and all(n in lines[0] for n in names) else "exit 2 unnamed"
    return "other"


def main() -> int:
    """Run every case; print one line per case and the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, help="root of the checkout to test (default: this one)")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds before a case counts as a hang")
    parser.add_argument("--group", action="append", help="only this group (repeatable): issue, more, round3…")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.tree is not None:
        env["PYTHONPATH"] = str(args.tree.resolve())
    with tempfile.TemporaryDirectory() as root:
        market = Path(root) / "market"
        make_market(market)
        totals: dict[str, Counter] = {}
        groups = (
            ("issue", ISSUE_CASES),
            ("more", MORE_CASES),
            ("round3", ROUND3_CASES),
            ("round3-own", MORE_ROUND3_CASES),
        )
        for group, cases in groups:
            if args.group and group not in args.group:
                continue
            counts = totals.setdefault(group, Counter())
            for build in cases:
                tmp = Path(tempfile.mkdtemp(dir=root))
                case = build(Kit(tmp, market))
                run_env = {**env, "EVENTSTUDY_CACHE": str(tmp / "cache"), **case.env}
                try:
                    proc = subprocess.run([sys.executable, "-m", "eventstudy", *case.argv], cwd=tmp, env=run_env,
                                          capture_output=True, text=True, timeout=args.timeout)  # fmt: skip
                    code, err = proc.returncode, proc.stderr
                except subprocess.TimeoutExpired:
                    code, err = None, ""
                outcome = classify(code, err, case.names)
                counts[outcome] += 1
                last = err.strip().splitlines()[-1][:150] if err.strip() else ""
                print(f"{group:10} {build.__name__:42} {outcome:15} {last}", flush=True)
    for group, counts in totals.items():
        summary = ", ".join(f"{o} {counts[o]}" for o in OUTCOMES if counts[o])
        print(f"{group}: tried {sum(counts.values())}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
