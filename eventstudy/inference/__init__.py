"""Stage 5, inference: whether an abnormal return is more than noise.

Owns the test statistics (:mod:`~eventstudy.inference.result` with :class:`TestResult`;
single-firm, cross-sectional and robust tests, the wild bootstrap in
:mod:`~eventstudy.inference.wild`; Holm and Benjamini-Hochberg adjustment in
:mod:`~eventstudy.inference.multitest`), the table of tests of a study
(:mod:`~eventstudy.inference.table`) and their placebo validation on real prices
(:mod:`~eventstudy.inference.validation`).
May import: :mod:`eventstudy.engine`, :mod:`eventstudy.market`, :mod:`eventstudy.spec` and the base layer.
"""
