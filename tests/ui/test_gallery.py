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
