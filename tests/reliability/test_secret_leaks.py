"""No credential or secret reaches stdout, stderr, report files or logs, in any command or format.

Known canary values stand in for every secret sarguard handles: an SSWS API token, an OAuth
private key (PEM) and its key id, the access tokens the emulator issues, the stack's
``sarguard:eventHookSecret`` ciphertext, a plaintext hook secret (in a stack file and in a
stack export), and the live hook's ``authScheme.value`` in the emulator seed. Logging is
captured at DEBUG for every logger (httpx and httpcore included).
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from sarguard.pulumi.mockengine import SECRET_SIG, SECRET_SIG_VALUE, is_secret_wrapper
from sarguard.report import FORMATS
from tests.conftest import REPO_ROOT
from tests.reliability.caches import bundled_seed
from tests.reliability.cliresult import CliRun
from tests.reliability.families import READ_SCOPES
from tests.reliability.harness import LiveHarness, ec_private_key_pem
from tests.reliability.injecting import InjectingTransport, unauthorized

TOKEN = "00LeakCanarySswsToken0123456789abcdefghijk"
WRONG_TOKEN = "00LeakCanaryWrongToken9876543210zyxwvutsr"
KEY_ID = "kidLeakCanary4f1e9c"
CIPHERTEXT = "AAABAExlYWtDYW5hcnlIb29rU2VjcmV0Q2lwaGVydGV4dA=="
PLAINTEXT_HOOK = "LeakCanaryPlaintextHookSecret"
LIVE_HOOK_SECRET = "Bearer LeakCanaryLiveHookSecret"
GARBLED_PEM = ("-----BEGIN PRIVATE KEY-----\nLeakCanaryNotAKeyButLooksLikeOne0123456789\n"
               "-----END PRIVATE KEY-----\n")
USER = "00u1alice0000demo002"


@pytest.fixture(scope="module")
def pem() -> str:
    """An EC key: loading an RSA key costs ~80 ms per command, which adds up over this file."""
    return ec_private_key_pem()[1]


def secret_values(pem: str, *extra: str) -> list[str]:
    """Every value that must never be shown, including each line of the key's body."""
    body = [line for line in pem.splitlines() if line.strip() and "-----" not in line]
    return [TOKEN, WRONG_TOKEN, KEY_ID, CIPHERTEXT, PLAINTEXT_HOOK, LIVE_HOOK_SECRET,
            LIVE_HOOK_SECRET.split()[1], "LeakCanaryNotAKey", pem, *body, *extra]


class Scanner:
    """Collects every output channel of a test and checks it for the canaries."""

    def __init__(self, out_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
        self.out_dir = out_dir
        self.caplog = caplog
        self.texts: list[tuple[str, str]] = []
        self.runs = 0

    def add(self, label: str, run: CliRun) -> CliRun:
        self.runs += 1
        self.texts += [(f"{label} stdout", run.out), (f"{label} stderr", run.err)]
        return run

    def assert_clean(self, secrets: list[str]) -> None:
        texts = list(self.texts)
        texts.append(("logs", self.caplog.text))
        texts += [(str(p), p.read_text("utf-8")) for p in sorted(self.out_dir.rglob("*"))
                  if p.is_file()]
        assert len(texts) > 2 * self.runs, "expected report files and logs to scan"
        leaks = [(where, secret[:12] + "...") for where, text in texts for secret in secrets
                 if secret and secret in text]
        assert not leaks, leaks


@pytest.fixture
def scanner(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> Scanner:
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "out"
    out.mkdir()
    return Scanner(out, caplog)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The repo's project with stack ``leak`` (demo, known ciphertext) and ``plain``
    (the hook secret in plain text, which must be refused without being echoed)."""
    root = tmp_path / "project"
    (root / "stacks").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    shutil.copytree(REPO_ROOT / "email-templates", root / "email-templates")
    demo = yaml.safe_load((REPO_ROOT / "stacks" / "Pulumi.demo.yaml").read_text("utf-8"))
    demo["config"]["sarguard:eventHookSecret"] = {"secure": CIPHERTEXT}
    (root / "stacks" / "Pulumi.leak.yaml").write_text(yaml.safe_dump(demo), "utf-8")
    demo["config"]["sarguard:eventHookSecret"] = PLAINTEXT_HOOK
    (root / "stacks" / "Pulumi.plain.yaml").write_text(yaml.safe_dump(demo), "utf-8")
    return root


def _seed_with_hook_secret() -> dict[str, Any]:
    seed = bundled_seed("in-sync")
    for hook in seed["eventHooks"]:
        hook["channel"]["authScheme"]["value"] = LIVE_HOOK_SECRET
    return seed


def _export(project: Path, *, plaintext: bool) -> dict[str, Any]:
    """A ``pulumi stack export`` of the leak stack, built from the program's own resources.

    Secrets are ciphertext (what Pulumi writes), or with ``plaintext`` the secret's object is
    stored in the clear with the canary as the hook's auth value (a leaked state file)."""
    from sarguard.pulumi.declared import run_program
    from sarguard.pulumi.mockengine import SECRET_PLACEHOLDER

    def encode(value: Any, clear: bool = False) -> Any:
        if is_secret_wrapper(value):
            if plaintext:
                return encode(value["value"], clear=True)
            return {SECRET_SIG: SECRET_SIG_VALUE, "ciphertext": CIPHERTEXT}
        if isinstance(value, dict):
            return {k: encode(v, clear) for k, v in value.items()}
        if isinstance(value, list):
            return [encode(v, clear) for v in value]
        return PLAINTEXT_HOOK if clear and value == SECRET_PLACEHOLDER else value

    declared = run_program("leak", project)
    resources = [{"urn": "urn:pulumi:leak::sarguard::pulumi:pulumi:Stack::sarguard-leak",
                  "custom": False, "type": "pulumi:pulumi:Stack", "outputs": {}}]
    for r in declared.mock.resources:
        inputs = encode(r.inputs)
        resources.append({"urn": r.urn, "custom": True, "type": r.type, "id": r.id,
                          "inputs": inputs, "outputs": inputs})
    return {"version": 3, "deployment": {"manifest": {"time": "2026-01-01T00:00:00Z"},
                                         "resources": resources}}


def _report_runs(live: LiveHarness, scanner: Scanner, label: str, *argv: str) -> None:
    """Every report format: text and json on stdout, all six as files (``--also``)."""
    also = [f"--also={fmt}={scanner.out_dir / f'{label}.{fmt}'}" for fmt in FORMATS]
    for fmt in ("text", "json"):
        run = scanner.add(f"{label} {fmt}", live.run(*argv, "--format", fmt, *also))
        assert run.code in (0, 1, 2) and "Traceback" not in run.err, run.err
    assert all((scanner.out_dir / f"{label}.{fmt}").is_file() for fmt in FORMATS)


def test_offline_commands_never_show_the_hook_secret(live, scanner, project, pem) -> None:
    where = ("--project-dir", str(project))
    for fmt in ("text", "json"):
        run = scanner.add(f"plan {fmt}", live.run("plan", "--stack", "leak", "--format", fmt,
                                                  "--output", str(scanner.out_dir / f"plan.{fmt}"),
                                                  *where))
        assert run.code == 0, run.err
    _report_runs(live, scanner, "check", "check", "--stack", "leak", *where)
    for plaintext in (False, True):
        export = scanner.out_dir.parent / f"export-{plaintext}.json"
        data = json.dumps(_export(project, plaintext=plaintext))
        assert (PLAINTEXT_HOOK if plaintext else CIPHERTEXT) in data
        export.write_text(data, "utf-8")
        _report_runs(live, scanner, f"check-state-{plaintext}", "check", "--state", str(export))
    # The plaintext state was seen for what it is (and still not shown).
    assert "SAR-06" in (scanner.out_dir / "check-state-True.json").read_text("utf-8")
    refused = scanner.add("plan plain", live.run("plan", "--stack", "plain", *where))
    assert refused.code == 2 and "must be a Pulumi secret" in refused.err, refused.err
    scanner.assert_clean(secret_values(pem))


@pytest.mark.parametrize("credential", ["ssws", "oauth"])
def test_live_commands_never_show_credentials(live, scanner, project, pem, credential) -> None:
    emu = live.emulator(_seed_with_hook_secret(), token=TOKEN)
    if credential == "oauth":
        live.oauth(emu, READ_SCOPES, key_id=KEY_ID, pem=pem)
    org = ("--org-url", emu.url, "--project-dir", str(project))
    _report_runs(live, scanner, f"drift-{credential}", "drift", "--stack", "leak", *org)
    _report_runs(live, scanner, f"audit-{credential}", "audit", "--stack", "leak", *org)
    for fmt in ("text", "json"):
        for command in (("reports",), ("investigate", "--user", USER)):
            target = scanner.out_dir / f"{command[0]}-{credential}.{fmt}"
            run = scanner.add(f"{command[0]} {fmt}", live.run(*command, *org, "--format", fmt))
            assert run.code == 0, run.err
            run = scanner.add(f"{command[0]} {fmt} file", live.run(
                *command, *org, "--format", fmt, "--output", str(target)))
            assert run.code == 0 and target.is_file(), run.err
        run = scanner.add(f"events {fmt}", live.run("events", "report_suspicious", "--format", fmt))
        assert run.code == 0, run.err
    # Failures print messages built from responses: they must stay clean too.
    emu.set_faults("/api/v1/brands:503,/api/v1/logs:malformed,/api/internal:reset")
    live.overrides["transport"] = InjectingTransport("/api/v1/eventHooks", unauthorized)
    _report_runs(live, scanner, f"faulted-{credential}", "audit", *org)
    issued = list(getattr(getattr(emu, "token_service", None), "_tokens", {}))
    assert credential == "ssws" or issued, "expected the emulator to have issued tokens"
    scanner.assert_clean(secret_values(pem, *issued))


@pytest.mark.parametrize("credential", ["ssws", "oauth"])
def test_import_never_shows_or_writes_credentials(live, scanner, pem, credential) -> None:
    """``sarguard import`` (and ``--fix``, and a run the org fails) writes its stack file,
    bodies and import file, and prints its summary, without any credential it holds."""
    emu = live.emulator(_seed_with_hook_secret(), token=TOKEN)
    if credential == "oauth":
        live.oauth(emu, READ_SCOPES, key_id=KEY_ID, pem=pem)
    project = scanner.out_dir / "adopted"  # scanned with the reports: every file import wrote
    project.mkdir()
    shutil.copy(REPO_ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    base = ("import", "--stack", "leak", "--org-url", emu.url, "--project-dir", str(project))
    for label, extra in (("import", ()), ("import --fix", ("--fix", "--force"))):
        run = scanner.add(f"{label} {credential}", live.run(*base, *extra))
        assert run.code == 0, run.err
    assert (project / "import-leak.json").is_file()
    emu.set_faults("/api/v1/brands:503")
    run = scanner.add(f"import faulted {credential}", live.run(*base, "--force"))
    assert run.code == 2 and "Traceback" not in run.err, run.err
    issued = list(getattr(getattr(emu, "token_service", None), "_tokens", {}))
    scanner.assert_clean(secret_values(pem, *issued))


def test_refused_credentials_are_not_echoed(live, scanner, pem) -> None:
    emu = live.emulator("in-sync", token=TOKEN)
    org = ("--org-url", emu.url, "--format", "json")
    live.monkeypatch.setenv("OKTA_API_TOKEN", WRONG_TOKEN)
    run = scanner.add("wrong token", live.run("audit", *org))
    assert run.code == 2 and "rejected the API token" in run.err, run.err
    live.oauth(emu, READ_SCOPES, key_id=KEY_ID, pem=pem)
    live.monkeypatch.setenv("OKTA_API_CLIENT_ID", "0oaNotRegistered")
    run = scanner.add("unknown client", live.run("audit", *org))
    assert run.code == 2 and "refused the OAuth token request" in run.err, run.err
    live.monkeypatch.setenv("OKTA_API_PRIVATE_KEY", GARBLED_PEM)
    run = scanner.add("garbled key", live.run("reports", *org))
    assert run.code == 2 and "OKTA_API_PRIVATE_KEY" in run.err, run.err
    scanner.assert_clean(secret_values(pem))


def test_the_scanner_finds_a_planted_secret(scanner, pem) -> None:
    """The checks above can fail: a canary in a report file or a log line is found."""
    scanner.assert_clean(secret_values(pem))
    logging.getLogger("sarguard.reliability").debug("key id %s", KEY_ID)
    with pytest.raises(AssertionError, match="logs"):
        scanner.assert_clean(secret_values(pem))
    scanner.caplog.clear()
    body_line = [line for line in pem.splitlines() if "-----" not in line][1]
    (scanner.out_dir / "report.sarif").write_text(f'{{"x": "{body_line}"}}', "utf-8")
    with pytest.raises(AssertionError, match="report.sarif"):
        scanner.assert_clean(secret_values(pem))


# ---- credentials recognised by shape: headers and URL parameters (issue 19 §2) ---------------
# Azure Functions: x-functions-key header or ?code= (learn.microsoft.com/azure/azure-functions/
# function-keys-how-to); API Management: Ocp-Apim-Subscription-Key (learn.microsoft.com/azure/
# api-management/api-management-subscriptions); Logic App trigger URLs: sig= beside the
# non-secret api-version, sp and sv (learn.microsoft.com/azure/logic-apps/
# logic-apps-securing-a-logic-app).
SHAPED_HEADERS = {
    "x-functions-key": "LeakCanaryFunctionsKey01",
    "Ocp-Apim-Subscription-Key": "LeakCanaryApimKey02",
    "X-Api-Key": "LeakCanaryApiKey03",
    "Cookie": "session=LeakCanaryCookie04",
    "X-Hub-Signature-256": "sha256=LeakCanaryHubSig05",
    "X-Session-Token": "LeakCanarySession06",
}
SHAPED_PARAMS = {"sig": "LeakCanarySigParam07", "access_token": "LeakCanaryAccess08",
                 "apikey": "LeakCanaryApikeyParam09"}
FUNCTIONS_CODE = "LeakCanaryCodeParam10%3D%3D"
REPORT_URL = ("https://prod-12.westus.logic.azure.com/workflows/0a1b/triggers/manual/paths/invoke"
              "?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&"
              + "&".join(f"{k}={v}" for k, v in SHAPED_PARAMS.items()))
FUNCTIONS_URL = f"https://fn-acme.azurewebsites.net/api/okta?code={FUNCTIONS_CODE}&clientId=default"
SIGNAL = "on-call-rotation-7"  # X-Signal: not a credential, kept as it is
STACK_CIPHER = "AAABAFNoYXBlZFN0YWNrQ2lwaGVydGV4dA=="  # in the stack file by design, not a canary


def _shaped_seed() -> dict[str, Any]:
    """The report hook with every credential shape, and a second (inactive) report hook to an
    Azure Function with its key in ?code= (import leaves it out; drift lists it unmanaged)."""
    seed = _seed_with_hook_secret()
    [report] = seed["eventHooks"]
    report["channel"]["uri"] = REPORT_URL
    report["channel"]["headers"] = [{"key": k, "value": v} for k, v in
                                     {**SHAPED_HEADERS, "X-Signal": SIGNAL}.items()]
    functions = json.loads(json.dumps(report))
    functions.update(id="who1sarHook000000009", name="azure-function", status="INACTIVE")
    functions["channel"]["uri"] = FUNCTIONS_URL
    seed["eventHooks"].append(functions)
    return seed


def _shaped_secrets(pem: str) -> list[str]:
    values = [*SHAPED_HEADERS.values(), "LeakCanaryCookie04", "LeakCanaryHubSig05",
              *SHAPED_PARAMS.values(), FUNCTIONS_CODE, "LeakCanaryCodeParam10=="]
    return secret_values(pem, *values)


def _set_secrets(stack_file: Path) -> None:
    """What the printed `pulumi config set --secret --path` commands leave in the stack file."""
    data = yaml.safe_load(stack_file.read_text("utf-8"))
    config = data["config"]
    hook = config["sarguard:settings"]["eventHook"]
    config["sarguard:eventHookSecret"] = {"secure": STACK_CIPHER}
    config["sarguard:eventHookHeaderSecrets"] = {name: {"secure": STACK_CIPHER}
                                                 for name in hook["secretHeaders"]}
    config["sarguard:eventHookUrlSecrets"] = {name: {"secure": STACK_CIPHER}
                                              for name in sorted(SHAPED_PARAMS)}
    stack_file.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def test_credentials_by_shape_never_leave_through_import_plan_drift_or_audit(live, scanner, pem):
    emu = live.emulator(_shaped_seed(), token=TOKEN)
    project = scanner.out_dir / "shaped"
    project.mkdir()
    shutil.copy(REPO_ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    org = ("--org-url", emu.url, "--project-dir", str(project))
    run = scanner.add("import shaped", live.run("import", "--stack", "leak", *org))
    assert run.code == 0, run.err
    for name in SHAPED_PARAMS:
        assert f"sarguard:eventHookUrlSecrets.{name}" in run.out  # the command to store it
    stack_file = project / "stacks" / "Pulumi.leak.yaml"
    written = yaml.safe_load(stack_file.read_text("utf-8"))["config"]["sarguard:settings"]["eventHook"]
    assert sorted(written["secretHeaders"]) == sorted(SHAPED_HEADERS)
    assert written["headers"] == {"X-Signal": SIGNAL}
    assert written["url"] == REPORT_URL.split("&sig=")[0] + "&" + "&".join(
        f"{k}={{secret:{k}}}" for k in SHAPED_PARAMS)
    _set_secrets(stack_file)
    for fmt in ("text", "json"):
        run = scanner.add(f"plan shaped {fmt}", live.run("plan", "--stack", "leak", "--format", fmt,
                                                        "--project-dir", str(project)))
        assert run.code == 0, run.err
    _report_runs(live, scanner, "check-shaped", "check", "--stack", "leak", "--project-dir", str(project))
    _report_runs(live, scanner, "drift-shaped", "drift", "--stack", "leak", *org)
    _report_runs(live, scanner, "audit-shaped", "audit", *org)
    drift = json.loads((scanner.out_dir / "drift-shaped.json").read_text("utf-8"))
    assert "eventHook/azure-function" in json.dumps(drift)  # the unmanaged hook is listed...
    assert "code=[credential sha256:" in json.dumps(drift)  # ...with its key by fingerprint
    scanner.assert_clean(_shaped_secrets(pem))


def test_a_hand_written_stack_with_credentials_in_clear_fails_sar06_without_showing_them(
        live, scanner, project, pem):
    """The stack users have before this fix: the key in eventHook.headers, sig in the URL."""
    stack_file = project / "stacks" / "Pulumi.leak.yaml"
    data = yaml.safe_load(stack_file.read_text("utf-8"))
    hook = data["config"]["sarguard:settings"]["eventHook"]
    hook["url"] = REPORT_URL
    hook["headers"] = {**SHAPED_HEADERS, "X-Signal": SIGNAL}
    stack_file.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    emu = live.emulator(_shaped_seed(), token=TOKEN)
    where = ("--project-dir", str(project))
    run = scanner.add("plan clear", live.run("plan", "--stack", "leak", "--format", "json", *where))
    assert run.code == 0, run.err
    _report_runs(live, scanner, "check-clear", "check", "--stack", "leak", *where)
    check = json.loads((scanner.out_dir / "check-clear.json").read_text("utf-8"))
    [sar06] = [f for f in check["findings"] if f["control"] == "SAR-06"]
    assert sar06["status"] == "fail" and "secretHeaders" in sar06["message"]
    assert "carries a credential in clear" in sar06["message"]
    _report_runs(live, scanner, "drift-clear", "drift", "--stack", "leak", "--org-url", emu.url, *where)
    scanner.assert_clean(_shaped_secrets(pem))
