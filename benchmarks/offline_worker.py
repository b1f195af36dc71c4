"""One offline measurement in a fresh process: ``sarguard check`` on a generated stack, or the
bare Pulumi mock engine registering the same pulumi-okta resources with literal inputs.

Why a process per measurement: the Pulumi runtime's settings are process-global and peak
memory (``ru_maxrss``) is a high-water mark, so sharing a process would blur both. Everything
is imported before the clock starts; the timer covers only the work.

Modes: ``check`` (the component's settings), ``check-raw`` (a program declaring the same
resources with plain pulumi-okta classes, see :func:`write_raw_project`), ``declared`` (drift's
declared side: ``run_program`` alone), ``bare`` (the engine alone, settled as ``check`` settles)
and ``bare-run`` (the engine alone, settled as ``run_program`` settles).

The collector's pause is settled the same way on both sides of each comparison
(sarguard/util/collector.py): ``check``, ``check-raw`` and ``bare`` run as the console command
runs them, in a process that exits when they are done (their pause ends frozen, with no full
collection); ``declared`` and ``bare-run`` as drift runs them, in a process that goes on to a
live read (one full collection at the end of a big run).

Usage: ``python -m benchmarks.offline_worker MODE PROJECT_DIR`` prints one JSON object.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

MODES = ("check", "check-raw", "declared", "bare", "bare-run")
AS_COMMAND = ("check", "check-raw", "bare")  # measured as the console command runs them
RAW_DIR = "raw"  # the raw-resource program, beside the settings project
RAW_SPEC = "resources.json"


def _rss_mb() -> float:
    """Current resident set size (Linux /proc; falls back to the peak elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize() / 2**20
    except (OSError, ValueError, IndexError):
        return _peak_mb()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _import_everything() -> None:
    """Load every module either mode touches, so imports stay out of the timings."""
    import runpy  # noqa: F401 - how the project's program runs

    import jsonschema_rs  # noqa: F401 - the settings schema's fast path
    import orjson  # noqa: F401 - the JSON report's writer
    import pulumi  # noqa: F401
    import pulumi_okta  # noqa: F401

    import sarguard.cli
    import sarguard.commands.check  # noqa: F401
    import sarguard.controls.catalog  # noqa: F401
    import sarguard.evidence.pulumi_resources  # noqa: F401
    import sarguard.pulumi.declared  # noqa: F401
    import sarguard.pulumi.entrypoint  # noqa: F401
    import sarguard.pulumi.locations  # noqa: F401
    import sarguard.pulumi.mockengine  # noqa: F401
    import sarguard.pulumi.program  # noqa: F401
    import sarguard.pulumi.stacksettings  # noqa: F401
    import sarguard.pulumi.userprogram  # noqa: F401
    import sarguard.report  # noqa: F401
    import sarguard.report.render_json  # noqa: F401
    import sarguard.settings.okta_facts  # noqa: F401
    import sarguard.verdicts.policy_config  # noqa: F401

    sarguard.cli.build_parser()  # imports every subcommand's module, as ``main`` would


Work = Callable[[], Any]
Finish = Callable[[Any], dict[str, Any]]


def prepare_check(project: Path) -> tuple[Work, Finish]:
    """``sarguard check --stack bench`` through the real command line, JSON to a file."""
    from sarguard.cli import main

    out = project / "check-report.json"
    argv = ["check", "--stack", "bench", "--project-dir", str(project), "--format", "json",
            "--output", str(out)]

    def finish(code: Any) -> dict[str, Any]:
        report = json.loads(out.read_text("utf-8"))
        findings = report.get("findings", [])
        return {"exit": code, "timings": report.get("timings", {}), "findings": len(findings),
                "failed": sum(1 for f in findings if f.get("status") == "fail")}

    return (lambda: main(argv)), finish


def resource_specs(project: Path) -> list[dict[str, Any]]:
    """The resources the settings project declares, as ``{"cls", "name", "args"}`` with literal
    inputs (``{"$id": NAME}`` stands for another resource's id)."""
    from benchmarks.orggen import REPORT_HOOK, REPORT_HOOK_URL, read_shape, stack_settings
    from sarguard.model import REPORT_EVENT, REPORT_NOTIFICATION
    from sarguard.pulumi.program import (
        customization_resource_name,
        role_subscription_resource_name,
        template_settings_resource_name,
    )

    settings = stack_settings(read_shape(project))
    bodies = {f: (project / f).read_text("utf-8") for f in _body_files(settings)}
    out: list[dict[str, Any]] = [{"cls": "SecurityNotificationEmails", "name": "security-notification-emails",
                                  "args": {"report_suspicious_activity_enabled": True}}]
    for brand in settings["brands"]:
        for name, template in brand["templates"].items():
            out.append({"cls": "EmailTemplateSettings",
                        "name": template_settings_resource_name(brand["id"], name),
                        "args": {"brand_id": brand["id"], "template_name": name,
                                 "recipients": "ALL_USERS"}})
            for item in template["customizations"]:
                out.append({"cls": "EmailCustomization",
                            "name": customization_resource_name(brand["id"], name, item["language"]),
                            "args": {"brand_id": brand["id"], "template_name": name,
                                     "language": item["language"], "subject": item["subject"],
                                     "body": bodies[item["bodyFile"]],
                                     "is_default": bool(item.get("isDefault", False))}})
    out.append({"cls": "EventHook", "name": REPORT_HOOK,
                "args": {"name": REPORT_HOOK, "status": "ACTIVE", "events": [REPORT_EVENT],
                         "channel": {"type": "HTTP", "version": "1.0.0", "uri": REPORT_HOOK_URL},
                         "auth": {"type": "HEADER", "key": "Authorization", "value": "x"}}})
    out.append({"cls": "EventHookVerification", "name": f"{REPORT_HOOK}-verification",
                "args": {"event_hook_id": {"$id": REPORT_HOOK}}})
    for role in ("SUPER_ADMIN", "ORG_ADMIN"):
        out.append({"cls": "RoleSubscription", "name": role_subscription_resource_name(role),
                    "args": {"role_ref": role, "notification_type": REPORT_NOTIFICATION}})
    out.append({"cls": "ThreatInsightSettings", "name": "threat-insight", "args": {"action": "audit"}})
    return out


def declare_specs(specs: list[dict[str, Any]]) -> None:
    """Declare ``specs`` with pulumi-okta's classes (what the raw program and the bare mode do)."""
    import pulumi_okta as okta

    declared: dict[str, Any] = {}
    for spec in specs:
        args = {k: declared[v["$id"]].id if isinstance(v, dict) and "$id" in v else v
                for k, v in spec["args"].items()}
        declared[spec["name"]] = getattr(okta, spec["cls"])(spec["name"], **args)


RAW_MAIN = '''"""A raw-resource program (generated by the benchmark): plain pulumi-okta classes."""

import json
from pathlib import Path

from benchmarks.offline_worker import declare_specs

declare_specs(json.loads((Path(__file__).parent / "resources.json").read_text("utf-8")))
'''


def write_raw_project(project: Path) -> Path:
    """Beside the settings project: a project whose own ``__main__.py`` declares the same
    resources with plain pulumi-okta classes, and a stack with no ``sarguard:settings``."""
    root = project / RAW_DIR
    (root / "stacks").mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text("name: okta-raw\nruntime: python\nstackConfigDir: stacks\n")
    (root / "stacks" / "Pulumi.bench.yaml").write_text(
        "config:\n  okta:orgName: bench\n  okta:baseUrl: okta.com\n  okta-raw:team: bench\n")
    (root / RAW_SPEC).write_text(json.dumps(resource_specs(project)), "utf-8")
    (root / "__main__.py").write_text(RAW_MAIN, "utf-8")
    return root


def prepare_declared(project: Path) -> tuple[Work, Finish]:
    """Drift's declared side: the stack's program under the mock engine and the state built."""
    from sarguard.pulumi.declared import run_program

    return (lambda: run_program("bench", project, command="drift")), \
        (lambda run: {"exit": 0, "resources": len(run.mock.resources)})


def prepare_bare(project: Path, *, as_command: bool = True) -> tuple[Work, Finish]:
    """The same resources, declared directly with literal inputs under the same mocks (the
    inputs are built before the clock starts: only the engine's work is timed). ``as_command``:
    the collector paused and settled as ``check`` does it, else as ``run_program`` does."""
    from sarguard.pulumi.mockengine import run_under_mocks
    from sarguard.util.collector import command_gc

    specs = resource_specs(project)

    def run() -> Any:
        return run_under_mocks(lambda: declare_specs(specs), project="sarguard-bench", stack="bench",
                               config={})

    def work() -> Any:
        if not as_command:
            return run()
        with command_gc():
            return run()

    return work, lambda run: {"exit": 0, "resources": len(run.resources)}


def _body_files(settings: dict[str, Any]) -> set[str]:
    return {c["bodyFile"] for b in settings["brands"] for t in b["templates"].values()
            for c in t["customizations"]}


def measure(mode: str, project: Path) -> dict[str, Any]:
    """Import, then time one run of ``mode``; memory as the rise of peak RSS over baseline."""
    if mode not in MODES:
        raise ValueError(f"mode: expected one of {', '.join(MODES)}, got {mode!r}")
    _import_everything()
    if mode in AS_COMMAND:  # this worker exits once it has measured, as the command would
        from sarguard.util.collector import process_ends_after_command

        process_ends_after_command()
    prepare = {"check": prepare_check, "check-raw": prepare_check, "declared": prepare_declared,
               "bare": prepare_bare,
               "bare-run": lambda project: prepare_bare(project, as_command=False)}[mode]
    work, finish = prepare(project / RAW_DIR if mode == "check-raw" else project)
    baseline = _rss_mb()
    started = time.perf_counter()
    done = work()
    seconds = time.perf_counter() - started
    result = finish(done)
    result["seconds"] = round(seconds, 3)
    peak = _peak_mb()
    result["peak_rss_mb"] = round(peak, 1)
    result["peak_over_baseline_mb"] = round(max(peak - baseline, 0.0), 1)
    result["mode"] = mode
    return result


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or args[0] not in MODES:
        print(f"usage: python -m benchmarks.offline_worker {{{'|'.join(MODES)}}} PROJECT_DIR",
              file=sys.stderr)
        return 2
    print(json.dumps(measure(args[0], Path(args[1]))), flush=True)
    # A one-shot worker: skip interpreter teardown, where event loops the Pulumi runtime
    # left open complain noisily while being collected.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
