"""Worker processes that end with their parent, and what Ctrl-C may end at once.

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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool of ``workers`` processes that die with this process."""
    from concurrent.futures import ProcessPoolExecutor  # imported when needed: the command line reads this module

    return ProcessPoolExecutor(workers, initializer=_die_with_parent, initargs=(os.getpid(),))


def _die_with_parent(parent: int) -> None:
    """In a worker: be killed when ``parent`` dies (checked once, for a parent that died meanwhile)."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


# -- Ctrl-C: at once while nothing needs cleaning up, else as KeyboardInterrupt -------------------

_pending = 0  # open regions with something to clean up if the run is interrupted


@contextmanager
def cleanup_on_interrupt() -> Iterator[None]:
    """A region that leaves something to clean up (a report's hidden folder, a temporary file, a cluster).

    Inside it Ctrl-C is a ``KeyboardInterrupt`` that the region's ``finally`` handles; outside any such
    region the command line ends the process at once (:func:`interrupt_now`), which a
    ``KeyboardInterrupt`` raised while a module loads cannot spoil.
    """
    global _pending
    _pending += 1
    try:
        yield
    finally:
        _pending -= 1


def interrupt_now() -> bool:
    """Whether Ctrl-C may end the process at once: nothing is being written that would need cleaning up."""
    return _pending == 0
