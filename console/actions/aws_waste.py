"""Action specs for the waste finder: snapshot-then-delete a volume, release an address,
delete a snapshot. Pure functions; the runner confirms (typed name for destructive ones),
executes with a timeout, verifies and records."""

from __future__ import annotations

import time
from typing import Any

from console.actions import ActionSpec, Change, Preview, Risk
from console.actions.aws import aws_target
from console.capabilities import WasteControl
from console.errors import TimedOut
from console.models.aws import WasteItem


def _wait_gone(adapter: WasteControl, item: WasteItem, progress, deadline: float) -> None:
    while True:
        remaining = {i.id for i in adapter.waste_report().items if i.kind == item.kind}
        if item.id not in remaining:
            progress(f"{item.kind} {item.id} gone")
            return
        progress(f"{item.kind} {item.id} still listed")
        if time.monotonic() > deadline:
            raise TimedOut(f"{item.kind} {item.id} still listed", source="verify")
        time.sleep(2.0)


def _verify(adapter: WasteControl, item: WasteItem):
    return lambda target, progress, deadline: _wait_gone(adapter, item, progress, deadline)


def cost_note(item: WasteItem) -> str:
    """One short note line (the confirmation must fit an 80x24 terminal)."""
    return f"saves ≈${item.monthly_cost:,.2f}/month (list-price estimate)"


def _age(item: WasteItem) -> str:
    return "?" if item.age_days is None else f"{item.age_days} days old"


def delete_volume(adapter: WasteControl, item: WasteItem, info: Any) -> ActionSpec:
    return ActionSpec(
        generation=adapter.generation,
        verb="snapshot then delete", risk=Risk.DESTRUCTIVE,
        summary=f"snapshot then delete volume {item.name} ({item.id})",
        targets=(aws_target("volume", item.name, info, id=item.id),),
        execute=lambda t, timeout: f"kept snapshot {adapter.snapshot_and_delete_volume(t.id, timeout=timeout)}",
        preview=lambda t: Preview((Change("volume", item.detail, "snapshot kept, then deleted"),),
                                  notes=(cost_note(item),)),
        verify=_verify(adapter, item), verify_timeout=60.0, timeout=600.0,
        undo_hint="new volume from the snapshot tagged opsconsole:deleted-volume",
        details={"monthly_cost_estimate": f"{item.monthly_cost:.2f}"},
    )


def release_address(adapter: WasteControl, item: WasteItem, info: Any) -> ActionSpec:
    return ActionSpec(
        generation=adapter.generation,
        verb="release", risk=Risk.HIGH, summary=f"release Elastic IP {item.name} ({item.id})",
        targets=(aws_target("address", item.name, info, id=item.id),),
        execute=lambda t, timeout: adapter.release_address(t.id, timeout=timeout),
        preview=lambda t: Preview((Change("Elastic IP", "unassociated", "released"),),
                                  notes=(cost_note(item),)),
        verify=_verify(adapter, item), verify_timeout=60.0,
        undo_hint="none: this IP cannot be reclaimed (a new address gets another)",
        details={"monthly_cost_estimate": f"{item.monthly_cost:.2f}"},
    )


def delete_snapshot(adapter: WasteControl, item: WasteItem, info: Any) -> ActionSpec:
    return ActionSpec(
        generation=adapter.generation,
        verb="delete", risk=Risk.DESTRUCTIVE, summary=f"delete snapshot {item.name} ({item.id})",
        targets=(aws_target("snapshot", item.name, info, id=item.id),),
        execute=lambda t, timeout: adapter.delete_snapshot(t.id, timeout=timeout),
        preview=lambda t: Preview((Change("snapshot", _age(item), "deleted"),), notes=(cost_note(item),)),
        verify=_verify(adapter, item), verify_timeout=60.0,
        undo_hint="none: a deleted snapshot cannot be restored",
        details={"monthly_cost_estimate": f"{item.monthly_cost:.2f}"},
    )


BUILDERS = {"volume": delete_volume, "address": release_address, "snapshot": delete_snapshot}
