"""Staging beside a destination and renaming into place (the export's way of never losing a file)."""

from __future__ import annotations

from studio.core import safe_paths


def test_a_folder_is_replaced_only_once_the_new_one_is_complete(tmp_path):
    out = tmp_path / "saved"
    out.mkdir()
    (out / "old.pb").write_text("old")
    staging = safe_paths.staging_path(out)
    staging.mkdir()
    (staging / "new.pb").write_text("new")
    safe_paths.place(staging, out)
    assert [p.name for p in out.iterdir()] == ["new.pb"]
    assert [p.name for p in tmp_path.iterdir()] == ["saved"]


def test_a_link_to_a_protected_file_is_refused(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    model = run / "model.keras"
    model.write_bytes(b"weights")
    link = tmp_path / "link.keras"
    link.symlink_to(model)
    why = safe_paths.refusal(link, [run, model], folder=False, force=True)
    assert why and "run's own file" in why
    assert safe_paths.refusal(tmp_path, [run, model], folder=True, force=True).startswith(f"{tmp_path} holds")
    assert safe_paths.refusal(tmp_path / "new.onnx", [run, model], folder=False, force=False) is None
