"""The stack writer's YAML reads back as exactly what it was given, whatever the org's strings
hold (quotes, colons, ``#``, YAML 1.1 words, line breaks, controls, non-ASCII), and its comments
stay comments."""

from __future__ import annotations

import yaml
from hypothesis import given
from hypothesis import strategies as st

from sarguard.adopt.yamlwriter import render, scalar
from sarguard.pulumi.stack import _load_yaml_with_lines

# Any text PyYAML can hold (it refuses lone surrogates, as UTF-8 does).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
KEY = st.from_regex(r"\A[A-Za-z][A-Za-z0-9_.:-]{0,20}\Z")
SCALAR = st.one_of(TEXT, st.booleans(), st.integers(), st.none())
DOCUMENT = st.recursive(
    st.dictionaries(KEY, SCALAR, max_size=4),
    lambda inner: st.one_of(st.dictionaries(KEY, inner, max_size=4),
                            st.dictionaries(KEY, st.lists(st.one_of(inner, SCALAR), max_size=3), max_size=3)),
    max_leaves=20)


@given(TEXT)
def test_every_string_is_one_line_and_reads_back(value):
    text = scalar(value)
    assert "\n" not in text and "\r" not in text
    assert yaml.safe_load(f"key: {text}\n") == {"key": value}


@given(DOCUMENT, TEXT)
def test_documents_read_back_with_their_comments_ignored(document, comment):
    one_line = comment.replace("\n", " ").replace("\r", " ")
    comments = {(key,): [one_line] for key in document}
    text = render(document, comments, header=["header"])
    assert yaml.safe_load(text) == (document or None)


def test_the_stack_reader_reads_it_too(tmp_path):
    document = {"config": {"sarguard:settings": {"brands": [{"id": "default", "templates": {
        "NewSignOnNotification": {"customizations": [{"language": "fr", "subject": "Connexion : 'oui' # ${org.name}"}]}}}]}}}
    path = tmp_path / "Pulumi.s.yaml"
    path.write_text(render(document, {("config", "sarguard:settings", "brands", 0): ["the brand"]}), "utf-8")
    data, lines = _load_yaml_with_lines(path)
    assert data == document
    assert lines[("config", "sarguard:settings", "brands", 0)] == 5
