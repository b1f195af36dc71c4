import xml.etree.ElementTree as ET

from sarguard.report import render
from sarguard.report.model import Report
from tests.report.sample import finding, full_report


def _suites(report: Report) -> tuple[ET.Element, dict[str, ET.Element]]:
    root = ET.fromstring(render(report, "junit"))
    return root, {s.get("name"): s for s in root.findall("testsuite")}


def _counts(element: ET.Element) -> tuple[int, int, int, int]:
    return tuple(int(element.get(k)) for k in ("tests", "failures", "errors", "skipped"))


def test_one_suite_per_control_with_right_counts() -> None:
    root, suites = _suites(full_report("audit"))
    assert root.tag == "testsuites"
    assert list(suites)[:5] == ["SAR-01", "SAR-03", "SAR-05", "SAR-09", "SAR-99"]
    assert _counts(suites["SAR-01"]) == (1, 0, 0, 0)
    assert _counts(suites["SAR-03"]) == (2, 1, 0, 1)  # fail + waived
    assert _counts(suites["SAR-05"]) == (2, 0, 1, 1)  # not_evaluated + not_applicable
    assert _counts(suites["drift"]) == (5, 4, 0, 1)  # one ignored
    assert _counts(suites["unread"]) == (2, 0, 1, 1)
    totals = [sum(_counts(s)[i] for s in suites.values()) for i in range(4)]
    assert list(_counts(root)) == totals


def test_elements_and_escaping() -> None:
    _, suites = _suites(full_report("audit"))
    case = suites["SAR-03"].find("testcase")
    failure = case.find("failure")
    assert failure.get("message").startswith("body lacks ${request.reportSuspiciousActivityToken}")
    assert "<b>x</b>\nsecond line" in failure.get("message")  # round-trips through escaping
    assert "remediation: Fix SAR-03 | by doing <things>." in failure.text
    waived = suites["SAR-03"].findall("testcase")[1].find("skipped")
    assert "JIRA-1" in waived.get("message")
    assert suites["SAR-05"].find("testcase").find("error").get("type") == "not_evaluated"


def test_control_characters_do_not_break_xml() -> None:
    report = Report(kind="check", findings=[finding("SAR-01", "fail", "org", "bad\x00\x1b[31m")])
    _, suites = _suites(report)
    message = suites["SAR-01"].find("testcase/failure").get("message")
    assert message.startswith("bad") and "\x00" not in message


def test_errors_and_warnings_suite() -> None:
    report = Report(kind="check", errors=["stack file unreadable"], warnings=["waiver expired"])
    root, suites = _suites(report)
    assert _counts(suites["sarguard"]) == (1, 0, 1, 0)
    assert "waiver expired" in suites["sarguard"].find("system-out").text
    assert _counts(root) == (1, 0, 1, 0)
