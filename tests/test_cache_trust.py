"""Issue 18, item 3: a derivation-cache entry that anyone but this user could have written never runs.

Each test plants a pickle whose loading would create a marker file, the way the attacks of the
issue did, and checks that it is not loaded (the marker never appears), that the planted file is
taken out of the way, and that the cache still works for what this user stores afterwards.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from dlcheck.core import diskcache

KEY = "a" * 64
OTHER_UID = 12345


class _Planted:
    """A pickle that runs code when loaded: it creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.fixture
def cache(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv("DLCHECK_CACHE", str(root))
    assert diskcache.store("instance", "b" * 64, {"mine": 1})  # the folders exist, made by dlcheck
    return root


def _plant(path: Path, marker: Path) -> None:
    path.write_bytes(pickle.dumps(_Planted(marker)))


def test_an_honest_entry_is_loaded(cache):
    assert diskcache.load("instance", "b" * 64) == {"mine": 1}
    assert os.stat(cache / "instance").st_mode & 0o777 == 0o700


def test_a_pickle_in_a_subfolder_others_may_write_to_never_runs(cache, tmp_path):
    marker = tmp_path / "ran"
    os.chmod(cache / "instance", 0o777)
    _plant(cache / "instance" / f"{KEY}.pickle", marker)
    assert diskcache.load("instance", KEY) is None
    assert not marker.exists()
    assert diskcache.store("instance", KEY, {"rebuilt": 1})            # the folder is made anew, private
    assert os.stat(cache / "instance").st_mode & 0o777 == 0o700
    assert diskcache.load("instance", KEY) == {"rebuilt": 1}
    assert not marker.exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown to another user needs root")
def test_a_pickle_owned_by_another_user_never_runs_and_is_rebuilt(cache, tmp_path):
    marker = tmp_path / "ran"
    planted = cache / "instance" / f"{KEY}.pickle"
    _plant(planted, marker)
    os.chmod(planted, 0o600)
    os.chown(planted, OTHER_UID, OTHER_UID)
    assert diskcache.load("instance", KEY) is None
    assert not marker.exists() and not planted.exists()              # removed: the next store rebuilds it
    assert diskcache.store("instance", KEY, {"rebuilt": 2})
    assert diskcache.load("instance", KEY) == {"rebuilt": 2}


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown to another user needs root")
def test_a_subfolder_owned_by_another_user_is_moved_aside(cache, tmp_path):
    marker = tmp_path / "ran"
    os.chown(cache / "instance", OTHER_UID, OTHER_UID)
    planted = cache / "instance" / f"{KEY}.pickle"
    _plant(planted, marker)
    os.chmod(planted, 0o600)
    assert diskcache.load("instance", KEY) is None and not marker.exists()
    assert diskcache.store("instance", KEY, {"rebuilt": 3})
    assert diskcache.load("instance", KEY) == {"rebuilt": 3} and not marker.exists()
    assert os.stat(cache / "instance").st_uid == os.getuid()


def test_a_symlinked_entry_is_never_followed(cache, tmp_path):
    marker = tmp_path / "ran"
    elsewhere = tmp_path / "elsewhere.pickle"
    _plant(elsewhere, marker)
    os.symlink(elsewhere, cache / "instance" / f"{KEY}.pickle")
    assert diskcache.load("instance", KEY) is None
    assert not marker.exists()
    assert elsewhere.exists()                                         # the link is removed, not its target


def test_a_symlinked_subfolder_is_never_followed(cache, tmp_path):
    marker = tmp_path / "ran"
    other = tmp_path / "other"
    other.mkdir(mode=0o700)
    _plant(other / f"{KEY}.pickle", marker)
    os.symlink(other, cache / "spec")
    assert diskcache.load("spec", KEY) is None
    assert not marker.exists()


def test_a_world_writable_entry_is_not_loaded(cache, tmp_path):
    marker = tmp_path / "ran"
    planted = cache / "instance" / f"{KEY}.pickle"
    _plant(planted, marker)
    os.chmod(planted, 0o666)
    assert diskcache.load("instance", KEY) is None and not marker.exists()


def test_a_folder_above_the_cache_others_may_write_to_is_not_trusted(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)                                           # not sticky: anyone may swap the cache
    monkeypatch.setenv("DLCHECK_CACHE", str(shared / "cache"))
    assert not diskcache.store("instance", KEY, {"a": 1})
    assert diskcache.load("instance", KEY) is None
    os.chmod(shared, 0o1777)                                          # sticky, like /tmp: others cannot
    assert diskcache.store("instance", KEY, {"a": 1})
    assert diskcache.load("instance", KEY) == {"a": 1}
