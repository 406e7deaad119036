"""`keras-studio devices`: the installed backends and the devices each one sees (probed in child processes)."""

from __future__ import annotations

from studio.jobs.devices import probe_all


def add_parser(sub) -> None:
    p = sub.add_parser("devices", help="list installed backends and the devices each sees")
    p.add_argument("--timeout", type=float, default=120, help="seconds to wait for each backend")


def run(args) -> int:
    failed = 0
    for info in probe_all(timeout=args.timeout):
        if not info.installed:
            print(f"{info.backend:<11} not installed   ({info.error})")
            continue
        if info.error and not info.devices:  # timed out or crashed: say so, never guess "cpu"
            failed += 1
            print(f"{info.backend:<11} {info.version or 'installed':<14} {info.error}")
            continue
        devices = ", ".join(info.devices) or "cpu"
        print(f"{info.backend:<11} {info.version:<14} {devices}")
    return 1 if failed else 0
