"""``sarguard drill`` against loopback receivers: right, open to anyone, slow, wrong challenge
answer, failing redelivery, https with a test CA given through ``SSL_CERT_FILE``.

Every verdict follows Okta's delivery contract (okta/okta-developer-docs
``packages/@okta/vuepress-site/docs/concepts/event-hooks/index.md``): the verification GET with
``X-Okta-Verification-Challenge`` answered ``{"verification": …}``; deliveries answered 200/204
within 3 seconds; at-least-once delivery (dedupe on ``data.events[].uuid``); https. Nothing here
sends traffic anywhere but 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sarguard.cli import main
from sarguard.drill.runner import run_drill
from sarguard.drill.target import make_target
from sarguard.emulator.receiver import HookReceiver, ReceiverBehaviour
from sarguard.eventhooks import is_drill, parse_envelope
from sarguard.report import FORMATS
from sarguard.util.redaction import redact

SECRET = "Bearer drill-secret-value-42"
IDS = ["DRILL-01", "DRILL-02", "DRILL-03", "DRILL-04", "DRILL-05"]


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SARGUARD_EVENT_HOOK_SECRET", SECRET)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


def _receiver(**behaviour) -> HookReceiver:
    return HookReceiver(SECRET, behaviour=ReceiverBehaviour(**behaviour))


def _drill_json(capsys, *args: str) -> tuple[int, dict]:
    code = main(["drill", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _statuses(report: dict) -> dict[str, str]:
    return {f["control"]: f["status"] for f in report["findings"]}


def _messages(report: dict) -> dict[str, str]:
    return {f["control"]: f["message"] for f in report["findings"]}


def test_a_right_endpoint_passes_every_step(capsys) -> None:
    with _receiver() as rx:
        code, report = _drill_json(capsys, "--url", rx.url)
    assert code == 0 and report["kind"] == "drill" and report["exitCode"] == 0
    assert [f["control"] for f in report["findings"]] == IDS
    port = rx.url.split(":")[2].split("/")[0]
    assert {f["resource"] for f in report["findings"]} == {f"endpoint/127.0.0.1:{port}/okta/events"}
    assert {f["control"]: f["severity"] for f in report["findings"]} == {
        "DRILL-01": "high", "DRILL-02": "high", "DRILL-03": "high", "DRILL-04": "medium",
        "DRILL-05": "high"}
    assert {f["level"] for f in report["findings"]} == {"mandatory"}
    statuses = _statuses(report)
    assert statuses.pop("DRILL-05") == "not_applicable"  # plain-http loopback: no certificate
    assert set(statuses.values()) == {"pass"}
    assert report["warnings"] == []
    assert " s" in _messages(report)["DRILL-02"]  # the measured time is in the finding
    probes = report["evidence"]["drill"]["probes"]
    assert [p["step"] for p in probes][0] == "verification" and len(probes) == 5
    # What the endpoint received: one marked drill event (plus the unauthenticated ones it refused)
    [event] = rx.events.values()
    assert is_drill(event)
    delivered = [r for r in rx.posts() if r.authenticated]
    assert len(delivered) == 2  # the delivery and its redelivery
    first, again = (parse_envelope(r.body) for r in delivered)
    assert (first.event_id, first.uuids) == (again.event_id, again.uuids)
    assert delivered[0].headers["content-type"] == "application/json"
    assert delivered[0].headers["accept"] == "application/json"
    assert rx.duplicates == 1


def test_an_endpoint_that_accepts_anyone_fails_drill_03(capsys) -> None:
    with _receiver(require_auth=False) as rx:
        code, report = _drill_json(capsys, "--url", rx.url)
    assert code == 1
    assert _statuses(report) == {"DRILL-01": "pass", "DRILL-02": "pass", "DRILL-03": "fail",
                                 "DRILL-04": "pass", "DRILL-05": "not_applicable"}
    assert "the endpoint accepts deliveries from anyone" in _messages(report)["DRILL-03"]
    assert "accepts a wrong secret" in _messages(report)["DRILL-03"]


def test_a_slow_endpoint_fails_the_budgeted_steps() -> None:
    """Okta's 3 s is judged on the measured time; the budget is shortened for the test only."""
    with _receiver(delay_s=0.25) as rx:
        target = make_target(rx.url, "Authorization", SECRET)
        result = run_drill(target, timeout=5, budget_s=0.1)
    status = {f.control: f.status for f in result.findings}
    messages = {f.control: f.message for f in result.findings}
    assert status == {"DRILL-01": "fail", "DRILL-02": "fail", "DRILL-03": "pass",
                      "DRILL-04": "fail", "DRILL-05": "not_applicable"}
    assert "echoed the challenge, but in" in messages["DRILL-01"]
    assert "Okta waits 0.1 s and counts an answer later" in messages["DRILL-02"]


def test_no_answer_within_timeout_fails_the_step(capsys) -> None:
    with _receiver(delay_s=1.5) as rx:
        code, report = _drill_json(capsys, "--url", rx.url, "--timeout", "0.1")
    assert code == 1
    assert _statuses(report)["DRILL-01"] == "fail"
    assert "no answer within --timeout 0.1 s" in _messages(report)["DRILL-01"]


def test_a_wrong_verification_answer_fails_drill_01(capsys) -> None:
    with _receiver(echo_challenge=False) as rx:
        code, report = _drill_json(capsys, "--url", rx.url)
    assert code == 1
    assert _statuses(report)["DRILL-01"] == "fail"
    assert "did not echo the verification challenge" in _messages(report)["DRILL-01"]
    assert [s for c, s in _statuses(report).items() if c not in ("DRILL-01", "DRILL-05")] == \
        ["pass"] * 3


def test_a_500_on_redelivery_fails_drill_04_only(capsys) -> None:
    with _receiver(redelivery_status=500) as rx:
        code, report = _drill_json(capsys, "--url", rx.url)
    assert code == 1
    assert _statuses(report) == {"DRILL-01": "pass", "DRILL-02": "pass", "DRILL-03": "pass",
                                 "DRILL-04": "fail", "DRILL-05": "not_applicable"}
    assert "HTTP 500" in _messages(report)["DRILL-04"]


def test_a_wrong_secret_shows_as_a_refused_delivery(capsys, monkeypatch) -> None:
    monkeypatch.setenv("SARGUARD_EVENT_HOOK_SECRET", "Bearer not-the-one")
    with _receiver() as rx:
        code, report = _drill_json(capsys, "--url", rx.url)
    assert code == 1 and _statuses(report)["DRILL-02"] == "fail"
    assert "HTTP 401" in _messages(report)["DRILL-02"]
    assert "SARGUARD_EVENT_HOOK_SECRET" in _messages(report)["DRILL-02"]


def test_every_authenticated_request_refused_says_the_likely_cause_first(capsys,
                                                                           monkeypatch) -> None:
    """The verification, the delivery and the redelivery all got 401: the endpoint may be fine
    and the secret wrong, so that comes first, in the warnings and in each failing step."""
    monkeypatch.setenv("SARGUARD_EVENT_HOOK_SECRET", "Bearer not-the-one")
    with _receiver() as rx:
        code, report = _drill_json(capsys, "--url", rx.url)
    assert code == 1
    first = report["warnings"][0]
    assert first.startswith("every request sent with the auth header was refused (HTTP 401)")
    assert "the secret the drill sent does not match the endpoint's" in first
    assert "SARGUARD_EVENT_HOOK_SECRET" in first and "Authorization header" in first
    messages = _messages(report)
    for step in ("DRILL-01", "DRILL-02", "DRILL-04"):
        assert _statuses(report)[step] == "fail"
        assert messages[step].startswith("likely cause: the secret the drill sent does not match")
    assert "the drill's own secret was refused too" in messages["DRILL-03"]
    assert "not-the-one" not in json.dumps(report)


def test_a_refusal_of_only_some_steps_blames_no_secret(capsys) -> None:
    """The verification passed with the same header, so the secret is right: no such advice."""
    with _receiver(statuses=[401, 401]) as rx:
        code, report = _drill_json(capsys, "--url", rx.url)
    assert code == 1
    assert _statuses(report)["DRILL-01"] == "pass" and _statuses(report)["DRILL-02"] == "fail"
    assert not any("likely cause" in w for w in report["warnings"])
    assert not _messages(report)["DRILL-02"].startswith("likely cause")


# -- answers Okta's docs do not cover ---------------------------------------------------------
# Okta's event hook concepts page (okta/okta-developer-docs
# packages/@okta/vuepress-site/docs/concepts/event-hooks/index.md; "Your service's responses to
# event delivery requests"): the answers "should all be empty, and should have an HTTP status code
# of 200 (OK) or 204 (No Content)"; "Timeout and retry": 3 seconds, at most one retry, a 4xx is
# not retried. Nothing about other 2xx: the drill passes them with a warning and claims no more.


@pytest.mark.parametrize("status", [201, 202])
def test_another_2xx_passes_with_a_warning_that_claims_no_more_than_the_docs(capsys,
                                                                              status) -> None:
    with _receiver(status=status) as rx:
        code, report = _drill_json(capsys, "--url", rx.url)
    assert code == 0
    assert _statuses(report)["DRILL-02"] == "pass" and _statuses(report)["DRILL-04"] == "pass"
    assert f"HTTP {status}" in _messages(report)["DRILL-02"]
    assert "not the 200 or 204 the docs ask for" in _messages(report)["DRILL-02"]
    warnings = report["warnings"]
    assert len(warnings) == 2  # the delivery and the redelivery
    assert all(f"answered HTTP {status}: Okta's event hook docs ask for 200 or 204 and do not say "
               "whether Okta counts another 2xx as delivered" in w for w in warnings)
    text = json.dumps(report)
    for claim in ("Okta counts anything", "Okta accepts", "Okta rejects", "never delivered"):
        assert claim not in text


@pytest.mark.parametrize(("status", "phrase"), [
    (500, "not a success; Okta's event hook docs ask for 200 or 204"),
    (302, "not a success; Okta's event hook docs ask for 200 or 204"),
    (400, "ask for 200 or 204 and say a 4xx is not retried"),
])
def test_a_non_2xx_delivery_answer_fails_saying_what_the_docs_say(capsys, status, phrase) -> None:
    with _receiver(status=status) as rx:
        code, report = _drill_json(capsys, "--url", rx.url)
    assert code == 1 and _statuses(report)["DRILL-02"] == "fail"
    assert phrase in _messages(report)["DRILL-02"] and f"HTTP {status}" in _messages(report)["DRILL-02"]
    assert report["warnings"] == []


def test_drill_05_is_not_applicable_for_a_plain_http_loopback_target() -> None:
    with _receiver() as rx:
        result = run_drill(make_target(rx.url, "Authorization", SECRET), timeout=5)
    [transport] = [f for f in result.findings if f.control == "DRILL-05"]
    assert transport.status == "not_applicable"  # never "pass": no certificate was seen
    assert "loopback" in transport.message and "https" in transport.message


# -- transport ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A throwaway CA and a certificate for 127.0.0.1 it signed (EC P-256, valid one day)."""
    folder = tmp_path_factory.mktemp("pki")
    now = dt.datetime.now(dt.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("sarguard test CA"))
          .issuer_name(name("sarguard test CA")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(
                ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "server.key"}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return paths


@pytest.fixture
def tls_receiver(pki: dict[str, Path]) -> Iterator[HookReceiver]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["cert"], pki["key"])
    with HookReceiver(SECRET, tls=context) as rx:
        yield rx


def test_https_with_a_ca_given_through_ssl_cert_file_passes(capsys, monkeypatch, pki,
                                                             tls_receiver: HookReceiver) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(pki["ca"]))
    code, report = _drill_json(capsys, "--url", tls_receiver.url)
    assert code == 0, report
    assert tls_receiver.url.startswith("https://127.0.0.1:")
    assert _statuses(report)["DRILL-05"] == "pass"
    assert "https (TLSv1." in _messages(report)["DRILL-05"]


def test_https_with_an_untrusted_certificate_fails_and_sends_nothing(
        capsys, tls_receiver: HookReceiver) -> None:
    code, report = _drill_json(capsys, "--url", tls_receiver.url)  # no SSL_CERT_FILE: certifi
    assert code == 2  # DRILL-01..04 could not be evaluated
    assert _statuses(report) == {"DRILL-01": "not_evaluated", "DRILL-02": "not_evaluated",
                                 "DRILL-03": "not_evaluated", "DRILL-04": "not_evaluated",
                                 "DRILL-05": "fail"}
    assert "certificate" in _messages(report)["DRILL-05"]
    assert tls_receiver.requests == []  # verification stays on: nothing, no secret, was sent


def test_plain_http_off_the_machine_fails_drill_05_and_sends_nothing(monkeypatch) -> None:
    calls: list[str] = []

    def sender(*args, **kwargs):
        calls.append(args[0])
        raise AssertionError("nothing may be sent over plain http to a remote host")

    target = make_target("http://soar.example.com/okta/events", "Authorization", SECRET)
    result = run_drill(target, sender=sender)
    status = {f.control: f.status for f in result.findings}
    assert status["DRILL-05"] == "fail" and calls == []
    assert [status[c] for c in IDS[:4]] == ["not_evaluated"] * 4
    assert {f.resource for f in result.findings} == {"endpoint/soar.example.com/okta/events"}


def test_an_unreachable_endpoint_could_not_be_evaluated(capsys) -> None:
    code, report = _drill_json(capsys, "--url", "http://127.0.0.1:9/hook")
    assert code == 2
    assert [_statuses(report)[c] for c in IDS[:4]] == ["not_evaluated"] * 4
    assert "could not connect" in _messages(report)["DRILL-01"]


# -- inputs, secrets, formats -----------------------------------------------------------------


def test_the_secret_never_appears_in_any_format(capsys, tmp_path: Path) -> None:
    with _receiver(require_auth=False, redelivery_status=500) as rx:
        outputs = {fmt: tmp_path / f"drill.{fmt}" for fmt in
                   ("json", "sarif", "junit", "markdown", "github")}
        code = main(["drill", "--url", rx.url, "--strict",
                     *[f"--also={fmt}={path}" for fmt, path in outputs.items()]])
    text = capsys.readouterr()
    assert code == 1
    rendered = {"text": text.out + text.err} | {f: p.read_text("utf-8") for f, p in outputs.items()}
    for fmt, content in rendered.items():
        assert "drill-secret-value-42" not in content, fmt
        assert "DRILL-03" in content, fmt
    sarif = json.loads(rendered["sarif"])
    assert {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]} >= set(IDS)
    assert "sarguard/drill/" in sarif["runs"][0]["automationDetails"]["id"]


def test_the_target_registers_its_secrets_for_redaction() -> None:
    """While a drill's target lives, every output path's last-resort redaction masks its auth
    value and its credential-like custom header values (and nothing else)."""
    target = make_target("http://127.0.0.1:9/okta/events", "Authorization", SECRET,
                         {"X-Api-Key": "drill-api-key-0987", "X-Source": "okta-drill"})
    text = f"{SECRET} drill-api-key-0987 okta-drill"
    assert redact(text) == "*** *** okta-drill"
    del target
    assert redact(text) == text  # held weakly: gone with the target


def test_an_endpoint_echoing_the_secret_back_never_gets_it_shown(capsys, tmp_path: Path) -> None:
    """An endpoint that echoes the auth header's value in its answers' bodies and in an error's
    status line (HTTP 500 "Refused <value>" on the redelivery): the value is in no output and
    no report file, in any format."""
    with _receiver(echo_auth=True, status=200, redelivery_status=500) as rx:
        echoed = httpx.post(rx.url, content=b"{}", trust_env=False,
                            headers={"Authorization": SECRET})
        assert echoed.status_code == 400 and echoed.reason_phrase == f"Refused {SECRET}"
        assert echoed.json() == {"receivedAuthorization": SECRET}
        seen: list[tuple[str, str]] = []
        for fmt in FORMATS:
            outputs = {other: tmp_path / f"{fmt}-also.{other}" for other in FORMATS}
            target = tmp_path / f"drill.{fmt}"
            code = main(["drill", "--url", rx.url, "--format", fmt, "--output", str(target),
                         *[f"--also={other}={path}" for other, path in outputs.items()]])
            stdout_code = main(["drill", "--url", rx.url, "--format", fmt])
            assert code == stdout_code == 1  # DRILL-04: the redelivery's 500
            run = capsys.readouterr()
            seen += [(f"{fmt} stdout", run.out), (f"{fmt} stderr", run.err)]
            seen += [(str(p), p.read_text("utf-8")) for p in (target, *outputs.values())]
        answered = [r for r in rx.requests if r.authenticated]
    # the probe above, then per run: the verification, the delivery and the redelivery
    assert len(answered) == 1 + 2 * len(FORMATS) * 3
    assert all("DRILL-04" in text for where, text in seen if "stderr" not in where)
    secret_part = SECRET.split()[1]
    assert [where for where, text in seen if secret_part in text] == []


def test_the_stack_gives_url_auth_header_and_custom_headers(capsys, monkeypatch,
                                                            make_project) -> None:
    monkeypatch.setenv("SARGUARD_EVENT_HOOK_SECRET", "token-from-env")
    with HookReceiver("token-from-env", auth_header="X-Hook-Key") as rx:
        project = make_project(f"""
            config:
              okta:orgName: acme
              sarguard:eventHookSecret:
                secure: AAABAHNhcmd1YXJkLW1pbmltYWwtcGxhY2Vob2xkZXI=
              sarguard:settings:
                brands:
                  - id: default
                    templates:
                      NewSignOnNotification: {{}}
                eventHook:
                  name: reports
                  url: {rx.url}
                  authHeader: X-Hook-Key
                  headers: {{X-Env: drill-test}}
                  events: [user.account.report_suspicious_activity_by_enduser]
            """)
        code, report = _drill_json(capsys, "--stack", "test", "--project-dir", str(project))
    assert code == 0, report
    assert report["stack"] == "test"
    assert {r.headers.get("x-env") for r in rx.requests} == {"drill-test"}
    assert report["evidence"]["drill"]["authHeader"] == "X-Hook-Key"


@pytest.mark.parametrize(("args", "env", "fragment"), [
    (["--url", "http://127.0.0.1:9/x"], None, "SARGUARD_EVENT_HOOK_SECRET"),
    (["--url", "https://user:pw@soar.example.com/x"], SECRET, "credentials"),
    (["--url", "ftp://soar.example.com/x"], SECRET, "http(s) URL"),
    (["--url", "https://soar.example.com:99999/x"], SECRET, "port"),
    (["--url", "https://soar.example.com/x", "--auth-header", "Bad Header"], SECRET, "header name"),
    (["--stack", "demo", "--auth-header", "X"], SECRET, "--auth-header goes with --url"),
    ([], SECRET, "give --stack NAME"),
])
def test_usage_errors_exit_2(capsys, monkeypatch, args: list[str], env: str | None,
                             fragment: str) -> None:
    if env is None:
        monkeypatch.delenv("SARGUARD_EVENT_HOOK_SECRET")
    assert main(["drill", *args]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
    assert "drill-secret-value-42" not in err
