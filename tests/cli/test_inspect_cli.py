"""`keras-studio inspect` on a recording written without a backend: the listing as JSON, arrays and pictures
out, and every wrong name or unsafe --out answered with what exists instead."""

from __future__ import annotations

import json

import numpy as np
import pytest

from studio.cli import run_cli
from tests.core.test_inspect_store import recorded  # noqa: F401 - the fixture


def test_list_prints_epochs_layers_and_probes(recorded, capsys):  # noqa: F811
    assert run_cli(["inspect", str(recorded[0]), "--list"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert listing["epochs"] == [0, 4, 6] and listing["probes"] == 2 and listing["layers"]["image"] == ["saliency"]


def test_arrays_and_pictures_are_written(recorded, tmp_path, capsys):  # noqa: F811
    run = recorded[0]
    out = tmp_path / "out"
    out.mkdir()
    assert run_cli(["inspect", str(run), "--view", "activations", "--layer", "conv", "--epoch", "4", "--probe", "1",
                    "--out", str(out / "maps.npz")]) == 0
    assert np.load(out / "maps.npz")["conv"].shape == (6, 6, 4)
    assert run_cli(["inspect", str(run), "--view", "gradients", "--out", str(out / "g.npz")]) == 0
    assert set(np.load(out / "g.npz").files) == {"kernel/counts", "kernel/edges", "kernel/norm"}
    assert run_cli(["inspect", str(run), "--view", "gradcam", "--out", str(out / "cam.png")]) == 0
    from PIL import Image

    assert Image.open(out / "cam.png").format == "PNG"
    assert "gradcam of conv, epoch 6" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "message"), [
    (["--view", "activations", "--layer", "nope"], "no layer `nope`; the recorded layers are conv, dense, image"),
    (["--view", "filters", "--epoch", "3"], "no snapshot of epoch 3; recorded epochs: 0, 4, 6"),
    (["--view", "filters", "--epoch", "soon"], "epoch `soon` is not a number; give a number or `last`"),
    (["--view", "saliency", "--probe", "9"], "no probe 9; the run has probes 0 to 1"),
])
def test_wrong_names_say_what_exists(recorded, tmp_path, capsys, args, message):  # noqa: F811
    assert run_cli(["inspect", str(recorded[0]), *args, "--out", str(tmp_path / "x.npz")]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "x.npz").exists()


def test_out_is_never_inside_the_run_nor_over_a_file_without_force(recorded, tmp_path, capsys):  # noqa: F811
    run = recorded[0]
    assert run_cli(["inspect", str(run), "--view", "filters", "--out", str(run / "filters.npz")]) == 1
    assert "one of the run's own folders" in capsys.readouterr().err
    existing = tmp_path / "mine.png"
    existing.write_bytes(b"keep me")
    assert run_cli(["inspect", str(run), "--view", "filters", "--out", str(existing)]) == 1
    assert "add --force to replace it" in capsys.readouterr().err and existing.read_bytes() == b"keep me"
    assert run_cli(["inspect", str(run), "--view", "filters", "--out", str(existing), "--force"]) == 0
    assert existing.read_bytes()[:4] == b"\x89PNG"
    assert run_cli(["inspect", str(run), "--view", "filters", "--out", str(tmp_path / "f.txt")]) == 1
    assert "write .npz (arrays) or .png (the picture)" in capsys.readouterr().err


def test_a_run_that_recorded_nothing(tmp_path, capsys):
    assert run_cli(["inspect", str(tmp_path), "--list"]) == 1
    assert "no recording of the inside of the model" in capsys.readouterr().err
    assert run_cli(["inspect", str(tmp_path / "missing"), "--list"]) == 1
    assert "is not a folder" in capsys.readouterr().err
