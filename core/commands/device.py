"""`hearth device`: the devices, the one inference runs on, and its live readings with their source."""

from __future__ import annotations

import argparse
import time

from core.commands.common import load_settings, print_json
from core.errors import HearthError
from core.telemetry.service import Telemetry


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("device", help="devices, power source and current readings")
    p.add_argument("--select", metavar="ID", help="run inference on this device from now on ('cpu', 'gpu:0')")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    telemetry = Telemetry(settings)
    try:
        if args.select:
            if args.select not in {d.id for d in telemetry.devices}:
                known = ", ".join(d.id for d in telemetry.devices)
                raise HearthError(f"No device '{args.select}' on this machine. Devices: {known}.")
            settings.set("device", args.select)
            telemetry.select(args.select)
        time.sleep(
            2 * telemetry._interval_s + 0.05
        )  # two samples, so power from an energy counter has a slope
        snap = telemetry.snapshot()
    finally:
        telemetry.close()
    if args.json:
        print_json(snap)
        return 0
    source = snap["power_source"]
    reading = snap["reading"]
    for d in snap["devices"]:
        mark = "*" if d["id"] == snap["device"] else " "
        print(
            f"{mark} {d['id']:<7} {d['name']}  ({d['memory_bytes'] / 2**30:.1f} GiB){'  ' + d['board'] if d['board'] else ''}"
        )
    kind = "measured" if source["measured"] else "ESTIMATE"
    watts = "n/a" if reading["watts"] is None else f"{reading['watts']:.2f} W"
    print(f"power: {watts} [{kind}: {source['label']}]")
    for name, why in source["not_used"].items():
        print(f"  not used: {name}: {why}")
    print(
        f"memory: {reading['rss_mb']} MB RSS"
        + (f", {reading['vram_mb']} MB VRAM" if reading["vram_mb"] else "")
    )
    return 0
