"""The keras.datasets path: cache detection, download with progress, the offline message — against the small
files that ship, a local HTTP server, and (in a child process) Keras' own loaders reading the cache."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from studio.data.dataset import DataError
from studio.engine import keras_data

FILES = Path(__file__).resolve().parent / "files"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    home = tmp_path / "keras_home"
    home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


@pytest.fixture
def server():
    """An HTTP server on localhost serving tests/data/files."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(FILES))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_cache_is_detected(keras_home):
    assert not keras_data.is_cached("mnist")
    assert keras_data.cache_dir() == keras_home / "datasets"
    (keras_home / "datasets").mkdir()
    shutil.copy(FILES / "mnist.npz", keras_home / "datasets" / "mnist.npz")
    assert keras_data.is_cached("mnist")
    shutil.copytree(FILES / "fashion-mnist", keras_home / "datasets" / "fashion-mnist")
    assert keras_data.is_cached("fashion_mnist")


def test_no_network_and_no_cache_gives_a_clear_message_fast(keras_home, monkeypatch):
    url = f"http://127.0.0.1:{closed_port()}/mnist.npz"
    monkeypatch.setitem(keras_data.CACHE, "mnist", (keras_data.CacheFile("mnist.npz", url, None),))
    t0 = time.monotonic()
    with pytest.raises(DataError) as info:
        keras_data.load("mnist")
    assert time.monotonic() - t0 < 10
    msg = str(info.value)
    assert "no network" in msg and str(keras_home / "datasets" / "mnist.npz") in msg
    assert "`path`" in msg and "digits" in msg  # the local file and the offline choice
    assert not (keras_home / "datasets" / "mnist.npz").exists()  # no half-written file left behind


def test_download_reports_progress_and_fills_the_cache(keras_home, server, monkeypatch):
    digest = hashlib.sha256((FILES / "mnist.npz").read_bytes()).hexdigest()
    monkeypatch.setitem(keras_data.CACHE, "mnist", (keras_data.CacheFile("mnist.npz", server + "mnist.npz", digest),))
    messages: list[str] = []
    keras_data.download("mnist", messages.append)
    assert (keras_home / "datasets" / "mnist.npz").read_bytes() == (FILES / "mnist.npz").read_bytes()
    assert messages[0].startswith("Downloading mnist: http://127.0.0.1")
    assert any("100%" in m for m in messages) and "Downloaded mnist" in messages[-1]


def test_a_damaged_download_is_refused(keras_home, server, monkeypatch):
    monkeypatch.setitem(keras_data.CACHE, "mnist", (keras_data.CacheFile("mnist.npz", server + "mnist.npz", "0" * 64),))
    with pytest.raises(DataError, match="damaged"):
        keras_data.download("mnist")
    assert not (keras_home / "datasets" / "mnist.npz").exists()


def test_a_cached_copy_that_is_not_the_published_file_is_read_as_a_local_copy(keras_home):
    (keras_home / "datasets").mkdir()
    shutil.copy(FILES / "mnist.npz", keras_home / "datasets" / "mnist.npz")
    messages: list[str] = []
    (xt, yt), (xs, ys) = keras_data.load("mnist", messages.append)  # Keras would try to download it again
    assert xt.shape == (400, 28, 28) and ys.shape == (150,)
    assert "not the published file" in messages[0]
    shutil.copy(FILES / "cifar-10-python.tar.gz", keras_home / "datasets" / "cifar-10-batches-py-target_archive")
    (xt, yt), _ = keras_data.load("cifar10")
    assert xt.shape == (100, 32, 32, 3)


KERAS_CHILD = """
import json, sys
from keras.src.utils import file_utils
from studio.engine import keras_data
name = sys.argv[1]
if name == "mnist":  # the small file stands for the published one: accept its hash in Keras and here
    file_utils.validate_file = lambda *a, **k: True
    keras_data._published = lambda name: True
logs = []
(xt, yt), (xs, ys) = keras_data.load(name, logs.append)
print("RESULT " + json.dumps({"shapes": [list(xt.shape), list(yt.shape), list(xs.shape), list(ys.shape)],
                              "sum": int(xt.astype("int64").sum()), "logs": logs}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("name, cached", [("mnist", "mnist.npz"), ("fashion_mnist", "fashion-mnist")])
def test_keras_own_loader_reads_the_cache(name, cached, tmp_path):
    home = tmp_path / "keras_home" / "datasets"
    home.mkdir(parents=True)
    src = FILES / cached
    (shutil.copytree if src.is_dir() else shutil.copy)(src, home / cached)
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", KERAS_HOME=str(tmp_path / "keras_home"))
    proc = subprocess.run([sys.executable, "-c", KERAS_CHILD, name], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line, proc.stderr[-3000:]
    out = json.loads(line[7:])
    if name == "mnist":
        with np.load(src) as z:
            expected = int(z["x_train"].astype("int64").sum())
            n_train, n_test = len(z["x_train"]), len(z["x_test"])
    else:
        n_train, n_test, expected = 60, 30, None
    assert out["shapes"] == [[n_train, 28, 28], [n_train], [n_test, 28, 28], [n_test]]
    assert expected is None or out["sum"] == expected
    assert any("Using the cached copy" in m for m in out["logs"])
