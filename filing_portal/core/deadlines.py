"""The deadline sweep registry (DESIGN.md "Time").

Apps register sweeps in a `deadlines.py` module of their own; each sweep takes
the as-of date, applies every transition that is due on that date, and returns
how many records it changed. Sweeps must be idempotent: the same date twice, or
a late run, ends in the same state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from . import clock

logger = logging.getLogger("filing_portal.deadlines")

Sweep = Callable[[date], int]
_SWEEPS: dict[str, tuple[int, Sweep]] = {}
_discovered = False


def register_sweep(name: str, *, order: int = 100) -> Callable[[Sweep], Sweep]:
    """Register `fn(as_of) -> changed_count` under a unique name; lower `order` runs first."""

    def decorate(fn: Sweep) -> Sweep:
        _SWEEPS[name] = (order, fn)
        return fn

    return decorate


def registered_sweeps() -> list[str]:
    _discover()
    return [name for name, _ in sorted(_SWEEPS.items(), key=lambda kv: (kv[1][0], kv[0]))]


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("deadlines")
        _discovered = True


@dataclass
class SweepResult:
    name: str
    changed: int
    error: str = ""


def run_deadlines(as_of: date | None = None) -> list[SweepResult]:
    """Run every registered sweep for `as_of` (today in Asia/Shanghai by default).

    A sweep that fails is logged and reported; the others still run (each sweep
    commits its own changes, record by record, through the transition service).
    """
    as_of = as_of or timezone.localdate()
    results = []
    for name in registered_sweeps():
        fn = _SWEEPS[name][1]
        try:
            with clock.as_of(as_of):
                changed = fn(as_of)
            results.append(SweepResult(name, changed))
        except Exception as exc:  # a broken sweep must not stop the others
            logger.exception("deadline sweep %s failed for %s", name, as_of)
            results.append(SweepResult(name, 0, f"{type(exc).__name__}: {exc}"))
    return results
