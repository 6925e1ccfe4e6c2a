"""Issue 18, item 2: submissions are read as data, inside their folder.

The attacks are planted the way the issue found them: a symlink to a secret in a Gradescope
submission and in a class folder, two links to ``..`` under a ``**`` glob, a thousand nested
folders, and a link swapped in after the listing."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from dlcheck.cli import app
from dlcheck.core.yamlio import links_refused, read_text
from dlcheck.grade.batch import MAX_DEPTH, expand
from tests.test_assignment import Q1_RIGHT, _autograder, run_autograder

SECRET = "root:x:0:0:TOKEN-4f9a1c:/root:/bin/bash\n"


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "secret" / "git-credentials"
    path.parent.mkdir()
    path.write_text(SECRET, encoding="utf-8")
    return path


@pytest.mark.skipif(sys.platform == "win32", reason="run_autograder is a bash script")
def test_a_symlink_in_a_gradescope_submission_is_skipped_and_never_quoted(runner, tmp_path, secret):
    root = _autograder(runner, tmp_path, "--assignment", "rnn/q1")
    (root / "submission" / "mine.yaml").write_text(Q1_RIGHT.format(sid="x"), encoding="utf-8")
    os.symlink(secret, root / "submission" / "p.yaml")
    doc = run_autograder(root)
    text = json.dumps(doc)
    assert "TOKEN-4f9a1c" not in text and "root:x" not in text and str(secret) not in text
    assert "p.yaml: a symbolic link, skipped" in doc["output"]
    assert doc["score"] == 3
    assert str(root) not in doc["output"]           # names relative to the submission, not the grader's paths


def test_a_symlink_in_a_class_folder_never_reaches_a_feedback_file(runner, tmp_path, secret):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "honest.yaml").write_text(Q1_RIGHT.format(sid="1"), encoding="utf-8")
    os.symlink(secret, subs / "mallory.yaml")
    os.symlink(secret.parent, subs / "linked")      # a folder link: not walked into
    result = runner.invoke(app, ["grade", str(subs), "--format", "csv", "--feedback-dir", str(tmp_path / "fb")],
                           env={"COLUMNS": "400"})
    outputs = result.stdout + result.stderr + "".join(p.read_text() for p in (tmp_path / "fb").iterdir())
    assert "TOKEN-4f9a1c" not in outputs and str(secret) not in outputs
    said = " ".join(result.stderr.split())
    assert f"{subs / 'mallory.yaml'}: a symbolic link, skipped" in said
    assert f"{subs / 'linked'}: a symbolic link, skipped" in said
    assert [p.name for p in (tmp_path / "fb").iterdir()] == ["1.md"]


def test_a_named_symlink_in_a_class_is_skipped(runner, tmp_path, secret):
    (tmp_path / "a.yaml").write_text(Q1_RIGHT.format(sid="1"), encoding="utf-8")
    os.symlink(secret, tmp_path / "b.yaml")
    result = runner.invoke(app, ["grade", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "--format", "json"],
                           env={"COLUMNS": "400"})
    assert "TOKEN" not in result.stdout and len(json.loads(result.stdout)) == 1
    assert "b.yaml: a symbolic link, skipped" in " ".join(result.stderr.split())


def test_a_glob_never_follows_links_back_into_the_tree(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "a.yaml").write_text(Q1_RIGHT.format(sid="1"), encoding="utf-8")
    os.symlink("..", tmp_path / "x" / "up1")
    os.symlink("..", tmp_path / "x" / "up2")
    said: list[str] = []
    started = time.monotonic()
    sources, batch, _ = expand([f"{tmp_path}/**/*.yaml"], warn=said.append)
    assert time.monotonic() - started < 30     # it ran past 300 s and 1.5 GB
    assert [s.path for s in sources] == [str(tmp_path / "x" / "a.yaml")] and batch
    assert any("up1: a symbolic link, skipped" in s for s in said)


def test_a_glob_keeps_its_order_and_its_own_depth(tmp_path):
    for name in ("b.yaml", "a.yaml", "sub/c.yaml", ".hidden.yaml"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    shallow, _, _ = expand([f"{tmp_path}/*.yaml"])
    assert [Path(s.path).name for s in shallow] == ["a.yaml", "b.yaml"]
    deep, _, _ = expand([f"{tmp_path}/**/*.yaml"])
    assert [Path(s.path).relative_to(tmp_path).as_posix() for s in deep] == ["a.yaml", "b.yaml", "sub/c.yaml"]


def test_a_thousand_nested_folders_are_a_sentence_and_the_class_is_graded(runner, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "top.yaml").write_text(Q1_RIGHT.format(sid="1"), encoding="utf-8")
    fd = os.open(subs, os.O_RDONLY)
    for _ in range(1000):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)
    try:
        result = runner.invoke(app, ["grade", str(subs), "--format", "csv"])
    finally:
        _remove_nested(subs, 1000)
    assert result.exit_code == 0, result.output
    assert "1,3,3,100" in result.stdout.replace("\n", ",")     # top.yaml: 3 of 3
    assert f"folders more than {MAX_DEPTH} levels deep are not looked into" in " ".join(result.stderr.split())


def _remove_nested(top: Path, depth: int) -> None:
    """Remove ``top/d/d/.../d`` from the bottom up (shutil.rmtree recurses past Python's limit)."""
    fds = [os.open(top, os.O_RDONLY)]
    for _ in range(depth):
        fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
    os.close(fds.pop())
    while fds:
        parent = fds.pop()
        os.rmdir("d", dir_fd=parent)
        os.close(parent)


def test_a_link_swapped_in_after_the_listing_is_not_read(tmp_path, secret):
    path = tmp_path / "a.yaml"
    os.symlink(secret, path)
    with links_refused(), pytest.raises(Exception) as caught:
        read_text(path)
    assert "symbolic link" in str(caught.value) and "TOKEN" not in str(caught.value)
    assert read_text(path) == SECRET     # outside a class run, a person's own link is theirs


def test_one_linked_file_graded_for_someone_else_is_not_read(runner, tmp_path, secret):
    os.symlink(secret, tmp_path / "p.yaml")
    result = runner.invoke(app, ["grade", str(tmp_path / "p.yaml"), "--feedback-dir", str(tmp_path / "fb")])
    assert result.exit_code == 2 and "TOKEN" not in result.stdout + result.stderr
    assert "symbolic link, so it was not read" in result.stderr
    gradescope = runner.invoke(app, ["grade", str(tmp_path / "p.yaml"), "--format", "gradescope"]).stdout
    assert "TOKEN" not in gradescope and "root:x" not in gradescope
