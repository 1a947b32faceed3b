"""A running Dask scheduler, reached so that every failure is one ``error:`` line.

:func:`connect` (``eventstudy run --dask ADDRESS``) first asks the address
itself, within ``timeout`` seconds in all, whether a Dask scheduler answers
there (:func:`probe`): a port where nothing listens, an HTTP server, a server
that sends garbage or says nothing each fail in that time, naming the address,
where ``dask.distributed.Client`` alone would wait for minutes or try to
allocate exabytes for a garbage frame length.

On any client (:func:`compute_dask <eventstudy.engine.distributed.compute_dask>`
calls these): :func:`ensure_workers` waits a bounded time for a worker,
:func:`gather` collects the tasks' results while watching the workers, so a
cluster whose workers all die mid-run is an error naming the scheduler, not a
hang, and :func:`for_workers` sends a local price folder as an absolute path.

The waits: ``EVENTSTUDY_DASK_WAIT`` seconds (default :data:`DEFAULT_WAIT`) for a
worker to join, or to come back after the last one is lost.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from eventstudy.errors import EventStudyError

if TYPE_CHECKING:
    from dask.distributed import Client, Future

DASK_MISSING = 'Dask is not installed; install the extra: pip install "eventstudy-claims[dask]"'
DEFAULT_WAIT = 10.0  # seconds for a worker to join (or return), see EVENTSTUDY_DASK_WAIT
POLL = 0.5  # seconds between looks at the workers while the tasks run
SHARED = "every worker must see the prices at the same location (a shared folder mounted at the same path, or a URL)"


def worker_wait() -> float:
    """Seconds to wait for a worker: ``$EVENTSTUDY_DASK_WAIT``, else :data:`DEFAULT_WAIT`."""
    text = os.environ.get("EVENTSTUDY_DASK_WAIT", "")
    if not text:
        return DEFAULT_WAIT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86_400:
        raise EventStudyError(f"$EVENTSTUDY_DASK_WAIT must be a number of seconds from 0 to 86400, got {text!r}")
    return value


@contextmanager
def connect(address: str, timeout: float = 4.0) -> Iterator[Client]:
    """A ``dask.distributed.Client`` of the running scheduler at ``address`` (e.g. ``tcp://10.0.0.5:8786``).

    Its workers need ``eventstudy`` installed and read the prices themselves:
    the study's source must name a location they all see (a Parquet URL, a
    shared folder).

    Raises
    ------
    EventStudyError
        Dask is missing, or no Dask scheduler answers at ``address`` within ``timeout`` seconds
        (nothing listens, or what listens is not a Dask scheduler).
    """
    started = time.monotonic()
    try:
        from dask.distributed import Client
    except ImportError:
        raise EventStudyError(DASK_MISSING) from None
    left = timeout - (time.monotonic() - started) - 1.0  # the import above counts; 1 s to make the client
    probe(address, max(left, 0.5))
    try:
        client = Client(address, timeout=max(timeout - (time.monotonic() - started), 0.5))
    except Exception as exc:  # a scheduler that went away since the probe
        raise _not_a_scheduler(address, exc) from None
    try:
        yield client
    finally:
        client.close(timeout=timeout)


def probe(address: str, timeout: float) -> None:
    """Whether a Dask scheduler answers at ``address``: its identity, asked within ``timeout`` seconds in all.

    Raises
    ------
    EventStudyError
        Naming the address: nothing listens there, or what does is not a Dask scheduler.
    """
    started = time.monotonic()
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme in ("tcp", "tls") and parts.hostname and parts.port:
        try:  # refused at once, where Dask would retry until its timeout
            socket.create_connection((parts.hostname, parts.port), timeout=timeout).close()
        except OSError as exc:
            what = "its host name does not resolve" if isinstance(exc, socket.gaierror) else "nothing listens there"
            raise _not_a_scheduler(address, exc, what) from None
    left = max(timeout - (time.monotonic() - started), 0.1)
    with ThreadPoolExecutor(1) as pool:  # its own event loop, also under Jupyter's running one
        try:
            identity = pool.submit(asyncio.run, _identity(address, left)).result()
        except Exception as exc:  # whatever a non-scheduler makes Dask raise, even a MemoryError for garbage
            timed_out = isinstance(exc, TimeoutError) or "Timed out" in str(exc)
            what = (f"what listens there did not answer as a Dask scheduler within {timeout:.1f} s" if timed_out
                    else "what listens there is not a Dask scheduler")  # fmt: skip
            raise _not_a_scheduler(address, exc, what) from None
    if not isinstance(identity, dict) or identity.get("type") != "Scheduler":
        kind = identity.get("type") if isinstance(identity, dict) else type(identity).__name__
        raise EventStudyError(
            f"--dask {address}: a Dask {kind} answers there, not a scheduler; give the scheduler's address "
            "(the one `dask scheduler` prints, e.g. tcp://10.0.0.5:8786)"
        )


async def _identity(address: str, timeout: float) -> Any:
    from distributed.comm import connect as comm_connect

    async def ask() -> Any:
        comm = await comm_connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    return await asyncio.wait_for(ask(), timeout)


def _not_a_scheduler(address: str, exc: BaseException, what: str = "") -> EventStudyError:
    what = what or "no Dask scheduler answers there"
    why = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return EventStudyError(
        f"--dask {address}: {what} ({why[:160]}); give the address `dask scheduler` prints (e.g. "
        "tcp://10.0.0.5:8786, not its dashboard's), or leave it out for a local cluster"
    )


def scheduler_address(client: Client) -> str:
    """The address of the client's scheduler (for messages)."""
    try:
        return str(client.scheduler.address)
    except AttributeError:
        return "(unknown address)"


def ensure_workers(client: Client, wait: float | None = None, *, had: int = 0) -> int:
    """The number of workers, after waiting up to ``wait`` seconds (:func:`worker_wait`) for the first one.

    ``had``: the workers of an earlier try of the same run (all lost since, if none is back).

    Raises
    ------
    EventStudyError
        The scheduler has no worker after the wait, or cannot be reached.
    """
    wait = worker_wait() if wait is None else wait
    address = scheduler_address(client)
    try:
        n = len(client.nthreads())
        if n == 0:
            client.wait_for_workers(1, timeout=wait)
            n = len(client.nthreads())
    except TimeoutError:
        if had:
            raise _all_lost(address, had, [], f"no worker back within {wait:g} s") from None
        raise EventStudyError(
            f"the Dask scheduler at {address} has 0 workers (waited {wait:g} s for one); start workers "
            f"(`dask worker {address}`, from any folder, with eventstudy installed) and run again"
        ) from None
    except OSError as exc:
        raise _lost_scheduler(address, exc) from None
    return n


class ScatteredDataLost(EventStudyError):
    """Workers remain, but the data scattered to the lost ones is gone: the caller scatters and submits again."""


def gather(
    client: Client, futures: list[Future], workers: int, wait: float | None = None, *, last: bool = True
) -> list[Any]:
    """The futures' results, in order; bounded when the workers are lost.

    A task whose worker dies is run again on another one by Dask. When the
    inputs scattered to the workers are lost with some of them (Dask then
    cancels the tasks) and workers remain, :class:`ScatteredDataLost` asks the
    caller to try again (an error when ``last``). When no
    worker is left for ``wait`` seconds (:func:`worker_wait`), when a task
    has killed the workers that ran it (``KilledWorker``) or when the
    scheduler goes away, an error names the scheduler.
    """
    from concurrent.futures import CancelledError

    from distributed import KilledWorker
    from distributed import wait as wait_for

    wait = worker_wait() if wait is None else wait
    address = scheduler_address(client)
    lost_since: float | None = None
    try:
        while True:
            with suppress(TimeoutError):
                wait_for(futures, timeout=POLL)
            if all(f.done() for f in futures) or any(f.status == "error" for f in futures):
                return client.gather(futures)
            if len(client.nthreads()):
                lost_since = None
                continue
            lost_since = lost_since or time.monotonic()
            if time.monotonic() - lost_since >= wait:
                raise _all_lost(address, workers, futures, f"no worker back within {wait:g} s")
    except CancelledError as exc:  # the data scattered to the workers went with them, or the scheduler went away
        left = _workers_left(client)
        if left is None:
            raise _lost_scheduler(address, exc) from None
        if left and not last:
            raise ScatteredDataLost(f"{address}: inputs lost with a worker") from None
        if left:
            raise EventStudyError(
                f"the Dask scheduler at {address} lost workers mid-run again and again (it had {workers}, {left} "
                "left), and the study's inputs with them; check the workers' logs (memory?) and run again"
            ) from None
        raise _all_lost(address, workers, futures, "the study's inputs went with them") from None
    except KilledWorker as exc:
        raise EventStudyError(
            f"the Dask scheduler at {address}: a task killed every worker that ran it ({exc}); its workers may "
            "lack memory for a partition: give them more, or pass more partitions"
        ) from None
    except OSError as exc:  # CommClosedError: the scheduler went away
        raise _lost_scheduler(address, exc) from None


def _workers_left(client: Client) -> int | None:
    """The scheduler's workers now; None when the client has lost the scheduler."""
    if client.status not in ("running", "newly-created"):
        return None
    try:
        return len(client.nthreads())
    except OSError:
        return None


def _all_lost(address: str, workers: int, futures: list[Future], why: str) -> EventStudyError:
    done = f"{sum(f.status == 'finished' for f in futures)} of {len(futures)} partitions done, " if futures else ""
    return EventStudyError(
        f"the Dask scheduler at {address} lost all its workers mid-run (it had {workers}; {done}{why}); restart "
        f"workers (`dask worker {address}`) and run again"
    )


def _lost_scheduler(address: str, exc: BaseException) -> EventStudyError:
    why = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}" if str(exc) else type(exc).__name__
    return EventStudyError(
        f"lost the connection to the Dask scheduler at {address} ({why}); check that it still runs and run again"
    )


def for_workers(source: Any) -> Any:
    """``source`` as sent to the workers: a relative local folder made absolute (a URL as it is).

    The client keeps the source as given (the report names it so); each
    worker opens the absolute path, the same location whatever its folder.
    """
    state = source.__getstate__() if hasattr(source, "__getstate__") else None
    if not isinstance(state, dict):
        return source
    key = next((k for k in ("directory", "url") if k in state), None)
    if key is None:
        return source
    value = state[key]
    text = str(value)
    if "://" in text or os.path.isabs(text):
        return source
    shipped = object.__new__(type(source))
    shipped.__setstate__({**state, key: type(value)(os.path.abspath(text))})
    return shipped


def check_seen(source: Any) -> None:
    """On a worker: the source's local folder exists here, else an error naming it as this worker sees it."""
    state = source.__getstate__() if hasattr(source, "__getstate__") else None
    if not isinstance(state, dict):
        return
    value = state.get("directory", state.get("url"))
    if value is None:
        return
    text = str(value)
    if text.startswith("file://"):
        text = urlsplit(text).path
    elif "://" in text:
        return
    if not os.path.isdir(text):
        raise EventStudyError(
            f"a Dask worker (host {socket.gethostname()}, folder {os.getcwd()}) does not see the prices at "
            f"{os.path.abspath(text)}: {SHARED}"
        )
