"""Policy config: Pulumi's --policy-pack-config format, validated with clear errors."""

import json
import re

import pytest

from sarguard.controls.catalog import get_control
from sarguard.verdicts.policy_config import PolicyConfig, PolicyConfigError, load_policy_config

SAR02 = get_control("SAR-02")
SAR07 = get_control("SAR-07")
SAR08 = get_control("SAR-08")
SAR10 = get_control("SAR-10")


def _file(tmp_path, data, name="policy.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_no_file_gives_defaults():
    config = load_policy_config(None)
    assert config.level_for(SAR10) == "advisory" and config.level_for(SAR02) == "mandatory"
    assert config.options_for(SAR08) == {"roles": ["SUPER_ADMIN"]}


def test_valid_file_levels_and_options(tmp_path):
    config = load_policy_config(_file(tmp_path, {
        "all": {"enforcementLevel": "advisory"},
        "sar-10-threatinsight-enabled": "mandatory",
        "SAR-02": {"enforcementLevel": "disabled", "required": ["newSignOn"]},
        "sar-07-hook-events-valid": {"allowedHosts": ["*.example.com"]},
    }))
    assert config.level_for(SAR10) == "mandatory"
    assert config.level_for(SAR02) == "disabled"
    assert config.level_for(SAR08) == "advisory"  # from "all"
    assert config.options_for(SAR02) == {"required": ["newSignOn"]}
    assert config.options_for(SAR07) == {"allowedHosts": ["*.example.com"]}
    assert config.options_for(SAR08) == {"roles": ["SUPER_ADMIN"]}  # default kept


def test_options_for_returns_a_copy():
    config = PolicyConfig.from_mapping({"SAR-08": {"roles": ["ORG_ADMIN"]}})
    config.options_for(SAR08)["roles"].append("SUPER_ADMIN")
    assert config.options_for(SAR08) == {"roles": ["ORG_ADMIN"]}


@pytest.mark.parametrize("data,where,expected", [
    ({"sar-99-made-up": "advisory"}, "sar-99-made-up", "unknown policy"),
    ({"SAR-02": {"required": "newSignOn"}}, "SAR-02.required", "type array"),
    ({"SAR-02": {"required": ["newSignOn", 3]}}, "SAR-02.required[1]", "type string"),
    ({"SAR-02": {"required": ["newSignIn"]}}, "SAR-02.required[0]", '"newSignOn"'),
    ({"sar-08-admins-notified": {"roles": ["APP_ADMIN"]}}, "sar-08-admins-notified.roles[0]",
     '"SUPER_ADMIN"'),
    ({"SAR-07": {"allowedhosts": []}}, "SAR-07.allowedhosts", "unknown option"),
    ({"SAR-01": "blocking"}, "SAR-01", "mandatory, advisory, disabled"),
    ({"SAR-01": {"enforcementLevel": "remediate"}}, "SAR-01.enforcementLevel", "mandatory"),
    ({"all": "warn"}, "all", "mandatory, advisory, disabled"),
    ({"all": {"required": []}}, "all.required", "unexpected key"),
    ({"SAR-01": 3}, "SAR-01", "expected a level"),
    ({"SAR-01": "advisory", "sar-01-report-suspicious-activity-enabled": "mandatory"},
     "sar-01-report-suspicious-activity-enabled", "already configured"),
])
def test_errors_name_file_key_path_and_expectation(tmp_path, data, where, expected):
    path = _file(tmp_path, data)
    with pytest.raises(PolicyConfigError) as err:
        load_policy_config(path)
    message = str(err.value)
    assert re.match(rf"{re.escape(str(path))}:\d+: {re.escape(where)}: ", message), message
    assert expected in message
    (problem,) = err.value.located_problems()
    assert (problem.file, problem.key_path) == (str(path), where)
    assert problem.line == 1  # _file writes the JSON on one line


def test_all_problems_reported_at_once_with_lines(tmp_path):
    path = _file(tmp_path, json.dumps({"SAR-01": "blocking", "SAR-99": "advisory",
                                       "SAR-02": {"required": ["newSignIn", 3]}}, indent=2))
    with pytest.raises(PolicyConfigError) as err:
        load_policy_config(path)
    problems = err.value.located_problems()
    assert [p.key_path for p in problems] == ["SAR-01", "SAR-99", "SAR-02.required[0]",
                                              "SAR-02.required[1]"]
    assert [p.line for p in problems] == [2, 3, 6, 7]
    assert str(err.value).startswith(f"4 problems in the policy config {path}:")


def test_bad_json_and_shape_and_missing_file(tmp_path):
    with pytest.raises(PolicyConfigError, match=r"policy\.json: line 1 column \d+: invalid JSON"):
        load_policy_config(_file(tmp_path, '{"all": '))
    with pytest.raises(PolicyConfigError, match="expected a JSON object"):
        load_policy_config(_file(tmp_path, "[1, 2]"))
    with pytest.raises(PolicyConfigError, match="nope.json: file not found"):
        load_policy_config(tmp_path / "nope.json")


def test_from_mapping_names_the_given_source():
    with pytest.raises(PolicyConfigError, match=r"^inline: SAR-99: unknown policy"):
        PolicyConfig.from_mapping({"SAR-99": "advisory"}, source="inline")
