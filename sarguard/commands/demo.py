"""``sarguard demo`` (what ``make demo`` runs): the whole story on the bundled emulator, no Okta org and no Pulumi CLI needed.

1. start the emulator seeded with an org that has drifted from the demo stack;
2. adopt it: ``import`` writes a stack (in a scratch copy of the project) that declares exactly
   what is live, and ``check`` of that stack shows, offline, what the org gets wrong (exit 1);
3. ``plan`` and ``check`` the demo stack offline (it is sound: exit 0);
4. ``drift`` (exit 1: the drift is the point), ``audit`` (exit 1), ``reports`` and one
   ``investigate``;
5. the repair and the response: through Okta's API activate the report hook, point it at
   ``sarguard responder`` (in this process) and verify it; a user reports (``emulator
   report``), the emulator delivers, the responder records it, clears the user's sessions,
   resets the password and notifies a local sink; ``responder status`` and ``reports
   --responder-db`` show it; ``drill`` passes against the responder; then stop the emulator;
6. a three-org fleet audit (``audit --orgs``: the drifted org, a healthy one, one refusing its
   token) and the path of its HTML report.

Exits 0 when every step ended the way the story expects, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# The demo's own project (Pulumi.yaml, __main__.py, stacks/Pulumi.demo.yaml, its email bodies),
# shipped in the package so `sarguard demo` runs from an installed wheel in any folder; in a
# checkout these are symlinks to the repository's own files.
BUNDLED_PROJECT = "demo_project"
RULE = "=" * 100
ALICE = "00u1alice0000demo002"  # the demo seed's user who reports


def _step(title: str, argv: Sequence[str], expected: int) -> bool:
    from sarguard.cli import main as cli_main  # the demo runs the real CLI, step by step

    print(f"\n{RULE}\n$ sarguard {' '.join(argv)}\n# {title}\n{RULE}", flush=True)
    code = cli_main(list(argv))
    ok = code == expected
    print(f"-> exit {code} ({'as expected' if ok else f'expected {expected}'})", flush=True)
    return ok


def _api_step(title: str, action: Callable[[], bool]) -> bool:
    """A step done through Okta's API (not the CLI); ``action`` prints its calls."""
    print(f"\n{RULE}\n# {title}\n{RULE}", flush=True)
    ok = action()
    print(f"-> {'as expected' if ok else 'NOT as expected'}", flush=True)
    return ok


def _delivery_story(emu: Any, org: list[str]) -> list[bool]:
    """Repair the hook, point it at the responder, let a user report, show what the responder
    did, what its store and the System Log say, and drill it."""
    from sarguard.commands import demo_hook

    secret = demo_hook.new_secret()
    os.environ["SARGUARD_EVENT_HOOK_SECRET"] = secret  # the drill's auth value (never a flag)
    os.environ["SARGUARD_EMULATOR_TOKEN"] = emu.token  # `emulator report` reads it
    with tempfile.TemporaryDirectory(prefix="sarguard-demo-") as work, \
            demo_hook.hook_endpoint(secret, emu.url, Path(work)) as endpoint:
        print(f"\nhook endpoint: {endpoint.url} ({endpoint.name}, config {endpoint.config})")
        results = [
            _api_step("the repair, through Okta's API: activate the report hook, point it at the "
                      "responder and verify it",
                      lambda: demo_hook.repair_hook(emu.url, emu.token, endpoint, secret)),
            _step("a user reports suspicious activity; the emulator delivers it to the responder",
                  ["emulator", "report", "--url", emu.url, "--user", "alice.nguyen@example.com",
                   "--wait", "30"], 0),
            _api_step("the response: the responder recorded the report, cleared the user's "
                      "sessions, reset the password and notified the (local) SOC",
                      lambda: endpoint.wait_for(1, 60)
                      and demo_hook.show_deliveries(emu.url, emu.token, endpoint)
                      and demo_hook.show_response(emu.url, emu.token, endpoint, ALICE)),
            _api_step("a campaign: three more users report sign-ins from one public /24; the "
                      "SOC gets one campaign message and the addresses go into the org's IP "
                      "block list",
                      lambda: demo_hook.show_campaign(emu.url, emu.token, emu.token, endpoint)),
            _step("what the responder received and did, from its store",
                  ["responder", "status", "--config", str(endpoint.config)], 0),
            _step("the report in the System Log, linked to its response",
                  ["reports", "--since", "1h", *org, "--responder-db", str(endpoint.database)], 0),
            _step("drill the responder as Okta would call it (a marked, synthetic report it "
                  "records and never acts on)",
                  ["drill", "--url", endpoint.url, "--auth-header", demo_hook.AUTH_HEADER], 0),
        ]
    return results


def _adopt_story(emu: Any, org: list[str], project_dir: Path) -> list[bool]:
    """Adopt the live org into a scratch copy of the project: the stack ``import`` writes, with
    the hook secret set as the printed ``pulumi config set --secret`` would, checked offline."""
    import shutil

    with tempfile.TemporaryDirectory(prefix="sarguard-adopt-") as work:
        scratch = Path(work) / "project"
        scratch.mkdir()
        shutil.copy(project_dir / "Pulumi.yaml", scratch / "Pulumi.yaml")
        here = ["--project-dir", str(scratch)]
        results = [
            _step("adopt the live org: the stack that declares exactly what is live, its email "
                  "bodies and a `pulumi import --file` plan (written to a scratch project)",
                  ["import", "--stack", "adopted", *org, *here], 0),
            _api_step("set the hook's auth value as the printed `pulumi config set --secret "
                      "sarguard:eventHookSecret` would (a stand-in ciphertext)",
                      lambda: _set_hook_secret(scratch / "stacks" / "Pulumi.adopted.yaml")),
            _step("the adopted stack, checked offline: before any `pulumi up`, it shows what the "
                  "live org gets wrong (the same verdicts `audit` gives below)",
                  ["check", "--stack", "adopted", *here], 1),
        ]
    return results


def _set_hook_secret(stack_file: Path) -> bool:
    text = stack_file.read_text("utf-8")
    if "config:\n" not in text:
        print(f"{stack_file}: no config section to add the secret to")
        return False
    secret = "  sarguard:eventHookSecret:\n    secure: AAABAHNhcmd1YXJkLWRlbW8tc3RhbmQtaW4=\n"
    stack_file.write_text(text.replace("config:\n", "config:\n" + secret, 1), "utf-8")
    print(f"{stack_file.name}: sarguard:eventHookSecret set (secure)")
    return True


def _fleet_story(demo: Any) -> list[bool]:
    """A three-org fleet: the drifted org, a healthy one (seed ``in-sync``) and one that refuses
    its token, audited concurrently; the fleet's HTML report stays for the reader to open."""
    from sarguard.emulator import Emulator

    out = Path(tempfile.mkdtemp(prefix="sarguard-fleet-"))
    with Emulator(seed="in-sync") as healthy, Emulator(seed="in-sync") as refusing:
        os.environ.update({"DEMO_FLEET_DRIFTED": demo.token, "DEMO_FLEET_HEALTHY": healthy.token,
                           "DEMO_FLEET_REFUSED": "00" + "0" * 40})  # not the token it accepts
        entries = [("drifted", demo.url, "DEMO_FLEET_DRIFTED"),
                   ("healthy", healthy.url, "DEMO_FLEET_HEALTHY"),
                   ("refused", refusing.url, "DEMO_FLEET_REFUSED")]
        (out / "fleet.yaml").write_text("orgs:\n" + "".join(
            f"  - {{name: {n}, url: '{u}', credentials: {{tokenEnv: {e}}}}}\n"
            for n, u, e in entries), "utf-8")
        html = out / "fleet.html"
        ok = _step("a fleet: three orgs audited at once, each with its own credentials; the org "
                   "that refuses its token is its own exit 2, the others are still audited",
                   ["audit", "--orgs", str(out / "fleet.yaml"), "--also", f"html={html}"], 2)
    print(f"\nfleet report (HTML): {html}")
    return [ok and html.is_file()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project-dir", metavar="DIR",
                        help="the sarguard project whose demo stack to use (default: a scratch "
                             "copy of the demo project shipped in the package)")


def scratch_project(where: Path) -> Path:
    """A copy of the bundled demo project under ``where``: real files (never the package's own,
    which may be read-only), so the demo runs from any folder."""
    import shutil
    from importlib.resources import as_file, files

    target = where / "sarguard-demo"
    with as_file(files("sarguard.data") / BUNDLED_PROJECT) as source:
        shutil.copytree(source, target, symlinks=False,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return target


def run(args: argparse.Namespace) -> int:
    if args.project_dir:
        return _run(args, Path(args.project_dir))
    with tempfile.TemporaryDirectory(prefix="sarguard-demo-project-") as work:
        project_dir = scratch_project(Path(work))
        print(f"demo project: {project_dir} (a scratch copy of the one shipped with sarguard)")
        return _run(args, project_dir)


def _run(args: argparse.Namespace, project_dir: Path) -> int:
    from sarguard.emulator import Emulator

    os.environ.setdefault("SARGUARD_NO_PROGRESS", "1")
    project = ["--project-dir", str(project_dir)]
    with Emulator(seed="demo") as emu:
        os.environ["OKTA_API_TOKEN"] = emu.token
        org = ["--org-url", emu.url]
        print(f"\nemulator: {emu.url} (seed 'demo': an org that drifted from stacks/Pulumi.demo.yaml)")
        results = _adopt_story(emu, org, project_dir)
        results += [
            _step("what the program declares, offline (Pulumi mock engine)",
                  ["plan", "--stack", "demo", *project], 0),
            _step("the control catalog over the declared stack, offline: the stack itself is sound",
                  ["check", "--stack", "demo", *project], 0),
            _step("declared vs live: a customization lost the link, the hook was deactivated, an admin "
                  "role unsubscribed, a stray customization appeared",
                  ["drift", "--stack", "demo", *project, *org], 1),
            _step("the same catalog on the live org, no stack needed (with System Log evidence)",
                  ["audit", *org], 1),
            _step("the suspicious-activity reports users sent", ["reports", *org], 0),
            _step("one investigation: what happened in the reported user's sessions",
                  ["investigate", "--user", ALICE, "--since", "30d", *org], 0),
        ]
        results += _delivery_story(emu, org)
        results += _fleet_story(emu)
    passed = all(results)
    print(f"\n{RULE}\ndemo {'ran as intended' if passed else 'did NOT run as intended'}: "
          f"{sum(results)}/{len(results)} steps ended as expected\n{RULE}")
    return 0 if passed else 1
