"""The rule loaders must turn *any* input into their own error, never a traceback."""

from __future__ import annotations

import datetime as dt
import os
import tempfile

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sarguard.verdicts.ignores import IgnoreError, load_ignores
from sarguard.verdicts.waivers import WaiverError, load_waivers

KEYS = ["control", "resource", "reason", "expires", "field", "expiry", "", "1"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["SAR-03", "*", "**", "2025-02-30", "2025-01-01", "2025-01-01T00:00:00"]),
    st.dates(min_value=dt.date(1, 1, 1)),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.integers()), inner, max_size=5),
    ),
    max_leaves=12,
)
yamlish = st.text(
    alphabet=st.sampled_from(list("- :[]{}&*!|>'\"#%@,?\n\t\\abcSAR0123456789.")), max_size=80
)
blobs = st.one_of(
    documents.map(lambda d: yaml.safe_dump(d, allow_unicode=True).encode("utf-8")),
    yamlish.map(lambda s: s.encode("utf-8")),
    st.binary(max_size=40),
)


def _load_all(data: bytes) -> None:
    fd, name = tempfile.mkstemp(suffix=".yaml")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        try:
            load_waivers(name)
        except WaiverError as exc:
            assert str(exc).startswith(name)
        try:
            load_ignores(name)
        except IgnoreError as exc:
            assert str(exc).startswith(name)
    finally:
        os.unlink(name)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blobs)
def test_loaders_raise_only_their_own_errors(data: bytes) -> None:
    _load_all(data)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        # PyYAML raises ValueError for a timestamp-shaped scalar that is not a real date: the
        # error names the entry and key (waivers: not a real date; ignores: an unknown key).
        (b"- {control: SAR-01, resource: x, reason: y, expires: 2025-02-30}\n",
         r"w\.yaml:1: \[0\]\.\w+: "),
        (b"[" * 5000, "invalid YAML"),  # deep nesting: RecursionError inside PyYAML
        (b"- control: !!python/object/apply:os.system [id]\n", "invalid YAML"),  # safe_load only
    ],
)
def test_pyyaml_failures_become_rule_errors(tmp_path, data: bytes, fragment: str) -> None:
    path = tmp_path / "w.yaml"
    path.write_bytes(data)
    with pytest.raises(WaiverError, match=fragment):
        load_waivers(path)
    with pytest.raises(IgnoreError, match=fragment):
        load_ignores(path)


BILLION_LAUGHS = (b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
                  + b"".join(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n".encode()
                             for i in range(8)))


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"- control: SAR-03\n  resource: &r brand/x\n  reason: r\n"
         b"- control: SAR-04\n  resource: *r\n  reason: r\n", 5),
        (b"- &w {control: SAR-03, resource: x, reason: r, expires: 2030-01-01}\n- *w\n", 2),
        (b"- &loop [*loop]\n", 1),
        (BILLION_LAUGHS, 2),
    ],
)
def test_aliases_are_refused_with_file_and_line(tmp_path, data: bytes, line: int) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes(data)
    for loader, error in ((load_waivers, WaiverError), (load_ignores, IgnoreError)):
        with pytest.raises(error) as info:
            loader(path)
        message = str(info.value)
        assert message.startswith(str(path)), message
        assert f"line {line}," in message and "aliases are not allowed" in message, message
