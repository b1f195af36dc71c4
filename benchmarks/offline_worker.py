"""One offline measurement in a fresh process: ``sarguard check`` on a generated stack, or the
bare Pulumi mock engine registering the same pulumi-okta resources with literal inputs.

Why a process per measurement: the Pulumi runtime's settings are process-global and peak
memory (``ru_maxrss``) is a high-water mark, so sharing a process would blur both. Everything
is imported before the clock starts; the timer covers only the work.

Usage: ``python -m benchmarks.offline_worker check|bare PROJECT_DIR`` prints one JSON object.
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

MODES = ("check", "bare")


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
    import pulumi  # noqa: F401
    import pulumi_okta  # noqa: F401

    import sarguard.cli
    import sarguard.commands.check  # noqa: F401
    import sarguard.controls.catalog  # noqa: F401
    import sarguard.evidence.pulumi_resources  # noqa: F401
    import sarguard.pulumi.declared  # noqa: F401
    import sarguard.pulumi.locations  # noqa: F401
    import sarguard.pulumi.mockengine  # noqa: F401
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


def prepare_bare(project: Path) -> tuple[Work, Finish]:
    """The same resources, declared directly with literal inputs under the same mocks (the
    inputs are built before the clock starts: only the engine's work is timed)."""
    import pulumi_okta as okta

    from benchmarks.orggen import REPORT_HOOK, REPORT_HOOK_URL, read_shape, stack_settings
    from sarguard.model import REPORT_EVENT, REPORT_NOTIFICATION
    from sarguard.pulumi.mockengine import run_under_mocks
    from sarguard.pulumi.program import (
        customization_resource_name,
        role_subscription_resource_name,
        template_settings_resource_name,
    )

    settings = stack_settings(read_shape(project))
    bodies = {f: (project / f).read_text("utf-8") for f in _body_files(settings)}
    templates = [
        (template_settings_resource_name(brand["id"], name), brand["id"], name,
         [(customization_resource_name(brand["id"], name, item["language"]), item["language"],
           item["subject"], bodies[item["bodyFile"]], bool(item.get("isDefault", False)))
          for item in template["customizations"]])
        for brand in settings["brands"] for name, template in brand["templates"].items()
    ]

    def declare() -> None:
        okta.SecurityNotificationEmails("security-notification-emails",
                                        report_suspicious_activity_enabled=True)
        for settings_name, brand_id, name, customizations in templates:
            okta.EmailTemplateSettings(settings_name, brand_id=brand_id, template_name=name,
                                       recipients="ALL_USERS")
            for resource_name, language, subject, body, is_default in customizations:
                okta.EmailCustomization(resource_name, brand_id=brand_id, template_name=name,
                                        language=language, subject=subject, body=body,
                                        is_default=is_default)
        hook = okta.EventHook(REPORT_HOOK, name=REPORT_HOOK, status="ACTIVE",
                              events=[REPORT_EVENT],
                              channel={"type": "HTTP", "version": "1.0.0", "uri": REPORT_HOOK_URL},
                              auth={"type": "HEADER", "key": "Authorization", "value": "x"})
        okta.EventHookVerification(f"{REPORT_HOOK}-verification", event_hook_id=hook.id)
        for role in ("SUPER_ADMIN", "ORG_ADMIN"):
            okta.RoleSubscription(role_subscription_resource_name(role), role_ref=role,
                                  notification_type=REPORT_NOTIFICATION)
        okta.ThreatInsightSettings("threat-insight", action="audit")

    def work() -> Any:
        return run_under_mocks(declare, project="sarguard-bench", stack="bench", config={})

    return work, lambda run: {"exit": 0, "resources": len(run.resources)}


def _body_files(settings: dict[str, Any]) -> set[str]:
    return {c["bodyFile"] for b in settings["brands"] for t in b["templates"].values()
            for c in t["customizations"]}


def measure(mode: str, project: Path) -> dict[str, Any]:
    """Import, then time one run of ``mode``; memory as the rise of peak RSS over baseline."""
    if mode not in MODES:
        raise ValueError(f"mode: expected one of {', '.join(MODES)}, got {mode!r}")
    _import_everything()
    work, finish = (prepare_check if mode == "check" else prepare_bare)(project)
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
