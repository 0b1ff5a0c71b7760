"""The guarded-action path (no Textual here; the modals live in screens/)."""

from console.actions.spec import ActionSpec, Change, Outcome, Preview, Progress, Risk, Target

__all__ = ["ActionSpec", "Change", "Outcome", "Preview", "Progress", "Risk", "Target"]
