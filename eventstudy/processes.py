"""Worker processes that end with their parent.

A ``kill -9`` of ``eventstudy run`` must not leave its worker processes running (they would hold
the terminal's output open, and a caller waiting for the command's end would wait forever).
:func:`worker_pool` is a :class:`~concurrent.futures.ProcessPoolExecutor` whose workers ask the
kernel for ``SIGKILL`` when their parent dies (Linux ``prctl(PR_SET_PDEATHSIG)``), and exit at
once if the parent is already gone. Elsewhere it is a plain pool.
"""

from __future__ import annotations

import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool of ``workers`` processes that die with this process."""
    return ProcessPoolExecutor(workers, initializer=_die_with_parent, initargs=(os.getpid(),))


def _die_with_parent(parent: int) -> None:
    """In a worker: be killed when ``parent`` dies (checked once, for a parent that died meanwhile)."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)
