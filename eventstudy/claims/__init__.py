"""Stage 7, claims: each reported figure against the measured moves.

Owns the tolerance of a reported figure (:mod:`~eventstudy.claims.tolerance`), the
verdicts with their words and rules (:mod:`~eventstudy.claims.verdicts`) and the
reconciliation of claims with measured moves (:mod:`~eventstudy.claims.reconcile`, with its rules in
:mod:`~eventstudy.claims.rules`, the candidate sessions in :mod:`~eventstudy.claims.candidate_sessions`
and period moves in :mod:`~eventstudy.claims.period_moves`), and the date an undated article's
figures fit (:mod:`~eventstudy.claims.dating`, a suggestion for ``check``'s error).
May import: :mod:`eventstudy.inference`, :mod:`eventstudy.engine`, :mod:`eventstudy.market`,
:mod:`eventstudy.spec` and the base layer.
"""
