"""Dialogs bound to one generation of a backend close when that backend is switched.

A wizard, confirmation or watch opened on Kubernetes context A must never act on B, nor
act on A after the operator moved to B. Such a screen mixes in ``GenerationBound`` and is
bound with ``bind_to(backend, generation)``; on ``Services.switch`` of that backend the App
closes it (and anything stacked above it) with a notice naming where the console is now.
The runner refuses any spec built before the switch as a second line of defence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from console.services import Switched


class GenerationBound:
    """Mixed into a Screen; unbound until ``bind_to`` is called."""

    bound_backend: str = ""
    bound_generation: int | None = None
    bound_what: str = "dialog"
    closed_notice: str = ""  # set when a switch closed it (the notice the operator saw)

    def bind_to(self, backend: str, generation: int | None, what: str = "") -> None:
        self.bound_backend, self.bound_generation = backend, generation
        if what:
            self.bound_what = what

    def stale_for(self, event: Switched) -> bool:
        return (bool(self.bound_backend) and self.bound_generation is not None
                and event.backend == self.bound_backend and event.generation != self.bound_generation)


def switch_notice(what: str, event: Switched) -> str:
    return f"{what} closed without acting: the console switched to {event.where}; open it again there"
