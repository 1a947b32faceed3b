"""Volume, volatility, BHAR and GARCH in the study run, the report and the command line.

Expected values come from arithmetic on the price CSVs (csv module, numpy
formulas written here) and from ``arch`` called directly.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math

import numpy as np
import pytest

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy.cli import main
from eventstudy.errors import StudyFileError
from eventstudy.spec import parse_study

DAY0 = "2025-01-22"
EVENT = "white-house"
PAIRS = [("9984.T", "^N225"), ("ARM", "^GSPC")]


def _rows(prices_dir, symbol):
    with open(prices_dir / (symbol.lstrip("^") + ".csv"), newline="") as fh:
        return list(csv.DictReader(fh))


def _price(row):
    return float(row["Adj Close"] or row["Close"])


@pytest.fixture(scope="module")
def by_hand(prices_dir):
    """Per security, from the CSV rows around 2025-01-22: log(1 + V), returns, days -250..+60."""
    out = {}
    for ticker, bench in PAIRS:
        sec = _rows(prices_dir, ticker)
        b = {r["Date"]: r for r in _rows(prices_dir, bench)}
        i = [r["Date"] for r in sec].index(DAY0)
        span = range(i - 250, i + 61)
        out[ticker] = {
            "v": np.array([math.log(1 + float(sec[k]["Volume"])) for k in span]),
            "vm": np.array([math.log(1 + float(b[sec[k]["Date"]]["Volume"])) for k in span]),
            "r": np.array([_price(sec[k]) / _price(sec[k - 1]) - 1 for k in span]),
            "rm": np.array([_price(b[sec[k]["Date"]]) / _price(b[sec[k - 1]["Date"]]) - 1 for k in span]),
        }
    return out


@pytest.fixture(scope="module")
def report(prices_dir, study_path, tmp_path_factory):
    """The README's main command (seeds/stargate.toml asks for volume, volatility and bhar)."""
    out = tmp_path_factory.mktemp("stargate")
    code = main(["run", str(study_path), "--prices", str(prices_dir), "--out", str(out), "--quiet",
                 "--figures", "none"])  # fmt: skip
    assert code == 0
    return out


def _record(rows, **key):
    hit = [r for r in rows if all(r[k] == v for k, v in key.items())]
    assert len(hit) == 1, key
    return hit[0]


EST, D0 = slice(0, 240), 250  # days -250..-11 and day 0 in the arrays above


def test_stargate_report_shows_abnormal_volume_checked_against_the_csv(report, by_hand):
    """SoftBank and Arm on 2025-01-22: log(1 + V) against its mean and the benchmark's log volume (OLS)."""
    doc = json.loads((report / "results.json").read_text())
    md = (report / "report.md").read_text()
    html = (report / "report.html").read_text()
    for ticker, h in by_hand.items():
        y, x = h["v"][EST], h["vm"][EST]
        n = len(y)
        mean_av = h["v"][D0] - y.mean()
        mean_t = mean_av / math.sqrt(y.var(ddof=1) * (1 + 1 / n))
        beta, alpha = np.polyfit(x, y, 1)
        market_av = h["v"][D0] - alpha - beta * h["vm"][D0]
        e = y - alpha - beta * x
        sd = math.sqrt(e @ e / (n - 2) * (1 + 1 / n + (h["vm"][D0] - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum()))
        for model, av, t in (("mean", mean_av, mean_t), ("market", market_av, market_av / sd)):
            row = _record(doc["volume"], event=EVENT, ticker=ticker, model=model, day=0)
            assert row["abnormal"] == pytest.approx(av, abs=1e-9)
            assert row["session"] == DAY0
            win = _record(doc["volume_windows"], event=EVENT, ticker=ticker, model=model, start=0, end=0)
            assert win["t"] == pytest.approx(t, abs=1e-8)
            # the report's row: ticker, model, volume, AV day 0, × normal, t
            cells = f"| {ticker} | {model} | {math.expm1(h['v'][D0]):,.0f} | {av:.4f} | {math.exp(av):.2f} | {t:.2f} |"
            assert cells in md
            assert f"<td>{ticker}</td><td>{model}</td>" in html and f">{av:.4f}</td>" in html
    # the orientation figures of the earlier session, recomputed above
    assert by_hand["9984.T"]["v"][D0] - by_hand["9984.T"]["v"][EST].mean() == pytest.approx(1.0095, abs=1e-4)


def test_stargate_volatility_and_bhar_against_the_csv(report, by_hand):
    doc = json.loads((report / "results.json").read_text())
    for ticker, h in by_hand.items():
        y, m = h["r"][EST], h["rm"][EST]
        beta, alpha = np.polyfit(m, y, 1)
        e = y - alpha - beta * m
        s2 = e @ e / (len(y) - 2)
        u = (h["r"][D0] - alpha - beta * h["rm"][D0]) ** 2 / s2
        assert _record(doc["volatility"], event=EVENT, ticker=ticker, day=0)["u"] == pytest.approx(u, rel=1e-9)
        for end in (20, 60):
            days = slice(D0, D0 + end + 1)
            own, bench = np.prod(1 + h["r"][days]) - 1, np.prod(1 + h["rm"][days]) - 1
            row = _record(doc["bhar"], event=EVENT, ticker=ticker, start=0, end=end)
            assert row["return"] == pytest.approx(own, abs=1e-12)
            assert row["bhar"] == pytest.approx(own - bench, abs=1e-12)
    assert doc["study"]["measures"] == ["returns", "volume", "volatility", "bhar"]
    tests = {(r["measure"], r["event"], r["test"], r["start"], r["end"]) for r in doc["measure_tests"]}
    assert ("bhar", EVENT, "skewness-adjusted t", 0, 60) in tests
    assert ("volatility", EVENT, "abnormal volatility chi-square", 0, 0) in tests


def test_measure_files_have_their_documented_columns(report):
    expected = {
        "volume.csv": "event,ticker,model,day,session,volume,log_volume,expected,abnormal,sav",
        "volume_windows.csv": "event,ticker,model,start,end,cav,se,t,p,df,note",
        "volatility.csv": "event,ticker,day,session,abnormal,u,u_star,p",
        "volatility_windows.csv": "event,ticker,start,end,variance_ratio,f,df1,df2,p",
        "bhar.csv": "event,ticker,start,end,return,benchmark_return,bhar",
        "measure_tests.csv": "measure,event,model,start,end,test,statistic,p,n,df,note",
    }
    for name, header in expected.items():
        assert (report / name).read_text().splitlines()[0] == header


@pytest.fixture(scope="module")
def white_house(study_path):
    spec = load_study(study_path)
    return dataclasses.replace(spec, events=tuple(e for e in spec.events if e.id == EVENT), claims=())


def test_without_measures_nothing_extra_is_written(prices_dir, white_house, tmp_path):
    spec = dataclasses.replace(white_house, measures=(), bhar_windows=())
    res = EventStudy(spec, CsvDirectorySource(prices_dir)).run()
    assert "volume" not in res.to_dict()
    assert not res.measure_tables()
    assert len(res.volume) == 4 * 21 * 2  # still there on request, both models
    with pytest.raises(ValueError, match="buy-and-hold windows"):
        _ = res.bhar


def test_benchmark_without_volume_takes_the_mean_model_with_a_note(prices_dir, white_house):
    sec = dataclasses.replace(white_house.security("9984.T"), benchmark="^TOPIX")  # TOPIX.csv has no volume
    spec = dataclasses.replace(white_house, securities=(sec,), measures=("volume",))
    res = EventStudy(spec, CsvDirectorySource(prices_dir)).run()
    assert set(res.volume["model"]) == {"mean"}
    assert res.volume_windows["note"].str.contains("benchmark has no volume").all()


def test_garch_model_against_arch_called_directly(prices_dir, white_house, by_hand):
    """``--model garch``: SoftBank's day-0 AR and SAR against arch and the GARCH forecast recursion."""
    from arch import arch_model

    res = EventStudy(white_house, CsvDirectorySource(prices_dir), model="garch").run()
    h = by_hand["9984.T"]
    fit = arch_model(100 * h["r"][EST], x=100 * h["rm"][EST, None], mean="LS", vol="GARCH", p=1, q=1,
                     rescale=False).fit(disp="off")  # fmt: skip
    c, b, w, a, g = (float(fit.params[k]) for k in ("Const", "x0", "omega", "alpha[1]", "beta[1]"))
    var = w + a * float(fit.resid[-1]) ** 2 + g * float(fit.conditional_volatility[-1]) ** 2  # day -10
    for _ in range(10):  # days -9 .. 0
        var = w + (a + g) * var
    ar0 = h["r"][D0] - c / 100 - b * h["rm"][D0]
    row = res.ar[(res.ar["ticker"] == "9984.T") & (res.ar["day"] == 0)].iloc[0]
    assert row["abnormal"] == pytest.approx(ar0, abs=1e-6)
    assert row["sar"] == pytest.approx(ar0 / (math.sqrt(var) / 100), rel=1e-3)
    fits = res.fits.set_index("ticker")
    assert fits.loc["9984.T", "model"] == "garch"
    assert fits.loc["9984.T", "garch_alpha"] == pytest.approx(a, rel=1e-3)
    # a fit on a bound is excluded with its reason, never reported (Oracle's α + γ = 1, Arm's α = 0 here)
    dropped = {s.ticker for s in white_house.securities} - set(fits.index)
    assert dropped == set(res.excluded["ticker"]) and dropped
    assert res.excluded["reason"].str.contains("GARCH(1,1) fit excluded", regex=False).all()


def test_garch_in_parallel_processes_gives_the_same_fits(prices_dir, white_house):
    from eventstudy.engine.abnormal_returns import compute
    from eventstudy.engine.garch import refit_garch
    from eventstudy.engine.models import get_model
    from eventstudy.engine.plan import fetch, plan

    the_plan = plan(white_house)
    frames = fetch(the_plan, CsvDirectorySource(prices_dir))
    serial, parallel = (compute(the_plan, frames, get_model("garch")) for _ in range(2))
    ex1, ex2 = refit_garch(serial, workers=1), refit_garch(parallel, workers=2)
    assert [(i, str(e)) for i, e in ex1] == [(i, str(e)) for i, e in ex2]
    np.testing.assert_array_equal(serial.ar["abnormal"].to_numpy(), parallel.ar["abnormal"].to_numpy())


@pytest.mark.parametrize(
    ("study", "message"),
    [
        ('measures = ["volum"]', "study.measures: is not a measure; choose from volume, volatility, bhar"),
        ('measures = "volume"', "study.measures: must be a list of measure names"),
        ("bhar_windows = [[-20, 5]]", "study.bhar_windows: must start after the estimation window ends"),
        ("bhar_windows = [[0, 20], [0, 20]]", "study.bhar_windows: lists a window twice"),
        ("bhar_windows = [[0]]", "study.bhar_windows: must be two whole numbers"),
    ],
)
def test_bad_measure_keys_are_one_line_errors(study, message):
    import tomllib

    doc = tomllib.loads(f'[study]\nid = "x"\n{study}\n[[securities]]\nticker = "A"\nexchange = "XNYS"\n'
                        'benchmark = "^GSPC"\n[[events]]\nid = "e"\ntimestamp = 2025-01-21\n')  # fmt: skip
    with pytest.raises(StudyFileError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse_study(doc)


def test_bhar_windows_turn_bhar_on():
    import tomllib

    doc = tomllib.loads('[study]\nid = "x"\nbhar_windows = [[0, 5]]\n[[securities]]\nticker = "A"\nexchange = '
                        '"XNYS"\nbenchmark = "^GSPC"\n[[events]]\nid = "e"\ntimestamp = 2025-01-21\n')  # fmt: skip
    spec = parse_study(doc)
    assert spec.measures == ("bhar",) and spec.bhar_windows == ((0, 5),)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--measure", "volum"], "error: --measure 'volum' is not a measure"),
        (["--bhar-window", "3"], "'3' is not a window START,END"),
        (["--bhar-window=-20,3"], "error: --bhar-window: must start after the estimation window ends (day -11)"),
    ],
)
def test_bad_measure_options_exit_2_with_one_line(args, message, study_path, prices_dir, tmp_path, capsys):
    try:
        code = main(["run", str(study_path), "--prices", str(prices_dir), "--out", str(tmp_path / "r"), *args])
    except SystemExit as exc:  # argparse's own check of the option's value
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


def test_large_study_writes_the_measures_as_parquet(prices_dir, tmp_path):
    import pandas as pd

    events = tmp_path / "events.csv"
    events.write_text("event,ticker,timestamp,benchmark\ne1,ORCL,2024-06-12,^GSPC\ne1,NVDA,2024-06-12,^GSPC\n"
                      "e2,9984.T,2024-08-05,^N225\n")  # fmt: skip
    out = tmp_path / "r"
    args = ["run", str(events), "--prices", str(prices_dir), "--out", str(out), "-q", "--figures", "none",
            "--measure", "volume", "--parquet-from", "0"]  # fmt: skip
    assert main(args) == 0
    doc = json.loads((out / "results.json").read_text())
    assert doc["tables"]["volume"] == "volume.parquet" and "volume" not in doc
    volume = pd.read_parquet(out / "volume.parquet")
    assert set(volume["ticker"]) == {"ORCL", "NVDA", "9984.T"} and not (out / "volume.csv").exists()
    assert main(args) == 0  # a report with measure files is a report: replaced
    pytest.importorskip("dask.distributed")
    dask = [*args[:5], str(tmp_path / "d"), *args[6:], "--dask"]  # the measures read every pair's prices
    assert main(dask) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "d" / "volume.parquet"), volume)


def test_an_index_measured_on_itself_has_no_measure_rows(prices_dir):
    import tomllib

    doc = tomllib.loads('[study]\nid = "idx"\nmeasures = ["volume", "volatility", "bhar"]\n[[securities]]\n'
                        'ticker = "^GSPC"\nexchange = "XNYS"\nbenchmark = "^GSPC"\nindex = true\n[[events]]\n'
                        'id = "e"\ntimestamp = 2025-01-21\n')  # fmt: skip
    res = EventStudy(parse_study(doc), CsvDirectorySource(prices_dir)).run()
    tables = res.measure_tables()
    assert set(tables) == {"volume", "volume_windows", "volatility", "volatility_windows", "bhar", "measure_tests"}
    assert all(t.empty for t in tables.values())


def test_a_bhar_window_past_the_data_leaves_the_returns_alone(prices_dir, tmp_path):
    """A [0, 60] window beyond the benchmark's last close: BHAR NaN there, the returns study and [0, 20] intact."""
    prices = tmp_path / "prices"
    prices.mkdir()
    (prices / "ORCL.csv").write_bytes((prices_dir / "ORCL.csv").read_bytes())
    with (prices_dir / "GSPC.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    with (prices / "GSPC.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([rows[0], *(r for r in rows[1:] if r[0][:10] <= "2025-12-01")])
    events = tmp_path / "events.csv"
    events.write_text("event,ticker,timestamp,benchmark\noct,ORCL,2025-10-01,^GSPC\n")
    out = tmp_path / "r"
    assert main(["run", str(events), "--prices", str(prices), "--out", str(out), "-q", "--figures", "none",
                 "--format", "json", "--bhar-window=0,20", "--bhar-window=0,60"]) == 0  # fmt: skip
    with (out / "car.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 4  # the four return windows: not excluded
    with (out / "bhar.csv").open(encoding="utf-8") as fh:
        bhar = {(r["start"], r["end"]): r for r in csv.DictReader(fh)}
    assert bhar[("0", "60")]["bhar"] == "" and bhar[("0", "60")]["benchmark_return"] == ""

    def closes(path):
        with path.open(encoding="utf-8", newline="") as fh:
            return [(r["Date"][:10], float(r["Adj Close"] or r["Close"])) for r in csv.DictReader(fh)]

    orcl, gspc = closes(prices_dir / "ORCL.csv"), dict(closes(prices_dir / "GSPC.csv"))
    d0 = next(i for i, (d, _) in enumerate(orcl) if d >= "2025-10-01")
    own = orcl[d0 + 20][1] / orcl[d0 - 1][1] - 1
    bench = gspc[orcl[d0 + 20][0]] / gspc[orcl[d0 - 1][0]] - 1
    assert float(bhar[("0", "20")]["bhar"]) == pytest.approx(own - bench, abs=1e-9)
