"""The guarded-action path (no Textual here; the modals live in screens/).

What a tab needs: build an ``ActionSpec`` (see spec.py) and call
``self.run_guarded(spec)``; to make an action undoable from the changelog, set
``undo_kind`` + ``details`` on the spec and ``register_undo(kind, factory)`` once.
"""

from console.actions.spec import ActionSpec, Change, Outcome, Preview, Progress, Risk, Target
from console.actions.undo import register_undo, target_from_record

__all__ = [
    "ActionSpec", "Change", "Outcome", "Preview", "Progress", "Risk", "Target", "register_undo", "target_from_record",
]
