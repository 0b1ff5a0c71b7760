"""Keep secrets out of the changelog and the audit log.

Every value written to either file goes through :func:`scrub` (strings) or
:func:`scrub_value` (nested dicts/lists): the one masking of ``console.masking`` (by key
name and by value; see its docstring for every syntax it catches).
"""

from __future__ import annotations

from console.masking import mask_secrets_in as scrub
from console.masking import mask_secrets_value as scrub_value

__all__ = ["scrub", "scrub_value"]
