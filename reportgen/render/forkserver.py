"""The fork server the PDF's workers are forked from, startable before anything is rendered.

This module imports nothing heavy, so that ``reportgen build`` can start the server first
thing (``start_fork_server``): the server imports WeasyPrint (about a second) in its own
process while this one reads, checks and assesses the source. ``render.pdf.parts`` forks its
workers from it."""

from __future__ import annotations

import multiprocessing
from typing import Any

PRELOAD = ("reportgen.render.pdf.parts",)
"""What every worker needs, imported once by the fork server before it forks the workers:
the parts' module, and with it WeasyPrint (through ``render.pdf.library``)."""


def worker_context() -> Any:
    """Fork server with ``PRELOAD`` where the platform has one, else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))
        return context
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


def start_fork_server() -> None:
    """Start the fork server now (it imports ``PRELOAD`` in its own process, beside this one),
    so that the first pool forks its workers from it without waiting. Nothing where the
    platform has no fork server."""
    if worker_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def stop_fork_server() -> None:
    """Stop the fork server and wait for it, so that its CPU time and that of the workers it
    forked (it waits for each) count in this process's ``RUSAGE_CHILDREN``, as ``time`` and
    the benchmarks read them, and no server outlives the command. Uses the standard
    library's own stop method (``ForkServer._stop``, present since Python 3.8); a Python
    without it leaves the server to end when this process does."""
    try:
        from multiprocessing import forkserver
    except ImportError:  # pragma: no cover - a platform without fork servers (Windows)
        return
    server = getattr(forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)
    if callable(stop) and getattr(server, "_forkserver_pid", None) is not None:
        stop()
