"""The helper the Python export will call for a custom optimizer: the user's file verbatim, under a header,
and the call that makes it (no keras needed: it only reads the file)."""

from studio.core.custom_code import template
from studio.engine.custom_export import optimizer_call, optimizer_source
from tests.helpers import spec_from

BLOCKS = [{"type": "Input", "params": {"shape": [2]}}, {"type": "Dense", "params": {"units": 1}}]


def test_the_script_carries_the_file_and_calls_its_class(tmp_path):
    file = tmp_path / "heavy.py"
    file.write_text(template("HeavyBall", "heavy.py"))
    spec = spec_from(BLOCKS, optimizer={"name": "custom", "path": str(file), "class_name": "HeavyBall"})
    block = optimizer_source(spec)
    assert "# Your own optimizer, copied from heavy.py (optimizer.class_name = HeavyBall)" in block
    assert file.read_text().rstrip() in block
    compile(block, "script.py", "exec")  # the block is valid Python on its own
    assert optimizer_call(spec) == "HeavyBall(learning_rate=rate, **OPTIMIZER_ARGS)"
    assert optimizer_source(spec_from(BLOCKS)) == ""  # Keras' own optimizers need nothing copied
