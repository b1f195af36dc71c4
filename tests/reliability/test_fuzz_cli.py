"""The same broken inputs through the command line: exit 2 with one clear error, no traceback.

Fewer cases than the loader fuzz (each ``plan`` runs the program under the mock engine): the
point is the last mile, that every loader error reaches the user as ``sarguard CMD: error:``.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sarguard.cli import main
from tests.conftest import REPO_ROOT
from tests.reliability.mutations import mutated
from tests.reliability.test_fuzz_loaders import (
    DEMO,
    IGNORES,
    POLICY,
    WAIVERS,
    _blobs,
    _json_bytes,
    fuzz,
)


@pytest.fixture(scope="module")
def project() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "stacks").mkdir()
        shutil.copy(REPO_ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
        shutil.copytree(REPO_ROOT / "email-templates", root / "email-templates")
        shutil.copy(REPO_ROOT / "stacks" / "Pulumi.minimal.yaml", root / "stacks" / "Pulumi.ok.yaml")
        yield root


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _assert_clean_outcome(command: str, code: int, out: str, err: str) -> None:
    assert "Traceback" not in out + err
    assert code in (0, 1, 2), (code, err)
    if code == 2:
        assert err.startswith(f"sarguard {command}: error: "), err
    else:
        assert out.strip(), "a successful run prints its result"


@fuzz(40)
@given(stack=_blobs(DEMO))
def test_plan_with_a_broken_stack_file_exits_cleanly(project: Path, stack: bytes) -> None:
    (project / "stacks" / "Pulumi.fuzz.yaml").write_bytes(stack)
    code, out, err = _cli("plan", "--stack", "fuzz", "--project-dir", str(project),
                          "--format", "json")
    _assert_clean_outcome("plan", code, out, err)
    if code == 0:
        json.loads(out)


RULE_FILES = {
    "--waivers": _blobs(WAIVERS),
    "--ignore": _blobs(IGNORES),
    "--policy-config": st.one_of(mutated(POLICY).map(_json_bytes), st.binary(max_size=30)),
}


@fuzz(60)
@given(flag=st.sampled_from(list(RULE_FILES)), data=st.data())
def test_check_and_audit_with_broken_rule_files_exit_cleanly(project: Path, flag: str,
                                                             data: st.DataObject) -> None:
    path = project / "rules.file"
    path.write_bytes(data.draw(RULE_FILES[flag], label="file"))
    if flag == "--ignore":
        # Rule files are read before any API call: an unusable one must stop the run first.
        # A usable one would go on to the (unreachable) org, so only judge the error path.
        from sarguard.verdicts.ignores import IgnoreError, load_ignores

        try:
            load_ignores(path)
        except IgnoreError:
            code, out, err = _cli("audit", "--org-url", "http://127.0.0.1:9", flag, str(path))
            assert code == 2 and err.startswith("sarguard audit: error: "), err
            assert "Traceback" not in err
        return
    code, out, err = _cli("check", "--stack", "ok", "--project-dir", str(project),
                          "--format", "json", flag, str(path))
    _assert_clean_outcome("check", code, out, err)
