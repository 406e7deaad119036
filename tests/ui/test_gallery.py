from studio.core.presets import list_presets
from studio.ui.gallery import PresetGallery


def test_gallery_lists_every_preset_with_its_thumbnail_and_returns_the_choice(qtbot):
    gallery = PresetGallery()
    qtbot.addWidget(gallery)
    presets = list_presets()
    assert gallery.list.count() == len(presets) >= 5
    assert all(not gallery.list.item(i).icon().isNull() for i in range(gallery.list.count()))
    row = next(i for i, p in enumerate(presets) if p.name == "mnist_cnn")
    gallery.list.setCurrentRow(row)
    assert "What it teaches" in gallery.details.text() and "MNIST" in gallery.details.text()
    gallery.accept()
    assert gallery.chosen.name == "mnist_cnn"
    assert gallery.chosen.load().model.blocks[0].type == "Input"


def test_gallery_opens_on_the_lab_and_marks_the_presets_that_download(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))  # an empty cache: nothing downloaded yet
    gallery = PresetGallery()
    qtbot.addWidget(gallery)
    presets = list_presets()
    assert presets[gallery.list.currentRow()].name == "optimization_lab"
    marked = {p.name for i, p in enumerate(presets) if "needs internet once" in gallery.list.item(i).text()}
    assert marked == {"mnist_cnn", "mnist_mlp", "mnist_cnn_5x5", "cifar10_augmentation"}
    assert "Training time:</b> ≈" in gallery.details.text()
    row = next(i for i, p in enumerate(presets) if p.name == "mnist_cnn")
    gallery.list.setCurrentRow(row)
    assert "needs internet once" in gallery.details.text()
    assert "min" in gallery.details.text()  # a convnet on 54,000 images takes minutes, not seconds


def test_a_cached_dataset_is_not_marked(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    (tmp_path / "keras" / "datasets").mkdir(parents=True)
    (tmp_path / "keras" / "datasets" / "mnist.npz").write_bytes(b"cached")
    gallery = PresetGallery()
    qtbot.addWidget(gallery)
    texts = {p.name: gallery.list.item(i).text() for i, p in enumerate(list_presets())}
    assert "needs internet" not in texts["mnist_cnn"] and "needs internet" in texts["cifar10_augmentation"]
