"""Data properties that explain a mis-sized test: tails of the single-security trials, correlation within groups."""

from __future__ import annotations

import math

import numpy as np

from eventstudy.engine import ols
from eventstudy.engine.ols import Fit
from eventstudy.inference import cross_section as cs


def day0_t(fit: Fit, ev_y: np.ndarray, ev_x: np.ndarray, day0: int) -> np.ndarray:
    """Day-0 prediction errors over their own SD: the [0,0] CAR t statistics under H0."""
    x0 = np.stack([np.ones(len(ev_x)), ev_x[:, day0]], 1)
    h = np.einsum("ij,ijk,ik->i", x0, fit.xtx_inv, x0)
    alpha, beta = fit.param("alpha"), fit.param("beta")
    return (ev_y[:, day0] - alpha - beta * ev_x[:, day0]) / (fit.sigma * np.sqrt(1.0 + h))


def single_diagnostics(fit: Fit, z: np.ndarray, n_single: int) -> dict[str, float]:
    """Tail properties of the single-security trials (see ``report.explain``)."""
    from scipy import stats

    if n_single < 2:
        return {}
    single = z[:n_single]
    return {
        "residual_excess_kurtosis": float(np.mean(stats.kurtosis(fit.residuals[:n_single], axis=1))),
        "day0_t_variance": float(np.var(single)),
        "day0_t_excess_kurtosis": float(stats.kurtosis(single)),
    }


def group_diagnostics(fit: Fit, z: np.ndarray, groups: list[np.ndarray]) -> dict[str, float]:
    """Correlation and sizes of the groups of one design (see ``report.explain``)."""
    from scipy import stats

    if not groups:
        return {}
    sizes = np.array([len(g) for g in groups])
    # day-0 portfolio statistic under H0 (z times the prediction SD is the day-0 AR)
    ar0 = z * fit.sigma * np.sqrt(1.0 + 1.0 / fit.residuals.shape[1])  # the leverage term is below 1 %
    zp = np.array([ar0[g].mean() / np.std(fit.residuals[g].mean(axis=0), ddof=1) for g in groups])
    r = np.array([cs.average_correlation(fit.residuals[g]) for g in groups])
    # pooled correlation of the day-0 ARs of securities in one group
    cross = sum(float(z[g].sum() ** 2 - (z[g] ** 2).sum()) for g in groups)
    own = sum(float((len(g) - 1) * (z[g] ** 2).sum()) for g in groups)
    # size at 5 % if the only flaw were equicorrelation r: the t statistic is too large by
    # sqrt((1 + (N-1) r) / (1 - r)) (Kolari & Pynnönen 2010), Patell's Z by sqrt(1 + (N-1) r)
    inflate_t = np.sqrt((1.0 + (sizes - 1) * r) / (1.0 - r))
    crit = stats.t.ppf(0.975, sizes - 1)
    out = {
        "group_residual_correlation": float(np.nanmean(r)),
        "group_day0_correlation": cross / own if own > 0 else math.nan,
        "t_size_from_correlation": float(np.nanmean(ols.t_two_sided(crit / inflate_t, sizes - 1))),
        "z_size_from_correlation": float(np.nanmean(2.0 * stats.norm.sf(1.959964 / np.sqrt(1.0 + (sizes - 1) * r)))),
        "group_mean_size": float(sizes.mean()),
        "portfolio_day0_t_variance": float(np.var(zp)),
        "portfolio_day0_t_excess_kurtosis": float(stats.kurtosis(zp)),
    }
    out |= {f"groups_n{k}": float(np.sum(sizes == k)) for k in range(int(sizes.min()), int(sizes.max()) + 1)}
    return out
