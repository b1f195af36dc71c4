"""The multi-target writer: every file replaced together or not at all, errors naming the target."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import sarguard.util.output as output
from sarguard.util.output import OutputError, write_outputs


def _old(tmp_path: Path, *names: str) -> list[Path]:
    paths = []
    for name in names:
        path = tmp_path / name
        path.write_text(f"old {name}\n", "utf-8")
        paths.append(path)
    return paths


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_all_targets_written_and_stdout_last(tmp_path, capsys):
    a, b = _old(tmp_path, "a.json", "b.sarif")
    write_outputs([(str(a), "new a"), (str(b), "new b\n"), (None, "to stdout")])
    assert a.read_text() == "new a\n" and b.read_text() == "new b\n"
    assert capsys.readouterr().out == "to stdout\n"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("bad", ["dir", "file-parent", "proc"])
def test_one_bad_target_replaces_nothing_and_names_it(tmp_path, capsys, bad):
    a, b = _old(tmp_path, "a.json", "b.sarif")
    target = {
        "dir": tmp_path / "adir",
        "file-parent": tmp_path / "a.json" / "inside.md",
        "proc": Path("/proc/sarguard-cannot-write-here/x.md"),
    }[bad]
    if bad == "dir":
        target.mkdir()
    with pytest.raises(OutputError) as info:
        write_outputs([(str(a), "new a"), (str(target), "new"), (str(b), "new b"), (None, "out")])
    assert str(target) in str(info.value)
    assert a.read_text() == "old a.json\n" and b.read_text() == "old b.sarif\n"
    assert capsys.readouterr().out == ""  # nothing printed either
    assert _leftovers(tmp_path) == []


def test_created_parent_folders_are_removed_when_the_batch_fails(tmp_path):
    deep = tmp_path / "new" / "deeper" / "report.json"
    (tmp_path / "busy").mkdir()
    with pytest.raises(OutputError, match="busy"):
        write_outputs([(str(deep), "x"), (str(tmp_path / "busy"), "y")])
    assert not (tmp_path / "new").exists()


def test_parents_are_created_when_all_succeed(tmp_path):
    deep = tmp_path / "new" / "deeper" / "report.json"
    write_outputs([(str(deep), "x")])
    assert deep.read_text() == "x\n"


def test_the_same_file_twice_is_refused(tmp_path):
    (a,) = _old(tmp_path, "a.json")
    with pytest.raises(OutputError, match="named twice"):
        write_outputs([(str(a), "1"), (str(tmp_path / "." / "a.json"), "2")])
    assert a.read_text() == "old a.json\n"


def test_a_failed_rename_puts_back_what_was_already_replaced(tmp_path, monkeypatch):
    """The rename phase can still fail (a race, a full quota): undo the renames already done."""
    a, b = _old(tmp_path, "a.json", "b.sarif")
    fresh = tmp_path / "c.md"
    real_replace = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(Path(dst))
        if Path(dst) == b:
            raise PermissionError(13, "Permission denied")
        return real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", flaky)
    with pytest.raises(OutputError, match="b.sarif: Permission denied"):
        write_outputs([(str(a), "new a"), (str(fresh), "new c"), (str(b), "new b")])
    assert a.read_text() == "old a.json\n" and b.read_text() == "old b.sarif\n"
    assert not fresh.exists()
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders anyway")
def test_unwritable_folder_is_named(tmp_path):
    (a,) = _old(tmp_path, "a.json")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="locked"):
            write_outputs([(str(a), "new"), (str(locked / "r.md"), "x")])
    finally:
        locked.chmod(0o700)
    assert a.read_text() == "old a.json\n"


def test_every_credential_the_run_holds_is_masked_in_what_is_written(tmp_path, capsys):
    """The last line of defence: a server that put the token into a brand *name* (data, not an
    error) still cannot get it printed or written."""
    from sarguard.okta.auth import SswsAuth

    auth = SswsAuth("00reflected-token-value-0123456789")
    target = tmp_path / "r.md"
    write_outputs([(str(target), "brand 00reflected-token-value-0123456789 x"),
                   (None, "name: 00reflected-token-value-0123456789")])
    assert target.read_text() == "brand *** x\n"
    assert capsys.readouterr().out == "name: ***\n"
    del auth


def test_a_device_or_a_pipe_is_written_never_replaced(tmp_path) -> None:
    """``--output /dev/null`` (or a FIFO a script reads) must not have a file renamed over it:
    that would replace the machine's /dev/null with a root-only regular file."""
    import os
    import stat
    import threading

    from sarguard.util.output import write_output

    write_output("report\n", "/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write_output("through a pipe", str(fifo))
    reader.join(timeout=30)
    assert got == ["through a pipe\n"] and stat.S_ISFIFO(os.stat(fifo).st_mode)
