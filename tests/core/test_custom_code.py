"""Code the user runs (a custom optimizer's .py file): what the spec accepts, where the file is looked for,
when it may run, what is read of it without running it, and the app's remembered trust per folder."""

import json

import pytest

from studio.core.custom_code import (CodeRefusedError, file_problem, granted, resolved, source_problem, template)
from studio.core.spec import SpecError, parse_spec
from studio.core.trust import CONFIG_ENV, TrustStore, config_dir


def custom(**fields):
    return parse_spec({"optimizer": {"name": "custom", "path": "my_optimizer.py", "class_name": "MomentumSGD",
                                     **fields}})


def test_a_custom_optimizer_needs_a_py_file_and_a_class_name():
    with pytest.raises(SpecError, match=r"optimizer: .*needs `path`, the \.py file.*optimizer-template"):
        parse_spec({"optimizer": {"name": "custom", "class_name": "A"}})
    with pytest.raises(SpecError, match="needs `path`"):
        parse_spec({"optimizer": {"name": "custom", "path": "a.txt", "class_name": "A"}})
    with pytest.raises(SpecError, match="needs `class_name`.*received 'my-opt'"):
        parse_spec({"optimizer": {"name": "custom", "path": "a.py", "class_name": "my-opt"}})
    with pytest.raises(SpecError, match=r"optimizer.params.beta: .*received \[1\]"):
        custom(params={"beta": [1]})
    assert custom(params={"momentum": 0.8}).optimizer.resolved_params() == {"momentum": 0.8}


def test_the_file_is_found_next_to_the_spec(tmp_path):
    spec = resolved(custom(), tmp_path)
    assert spec.optimizer.path == str(tmp_path / "my_optimizer.py")
    assert resolved(spec, tmp_path / "elsewhere").optimizer.path == spec.optimizer.path  # absolute stays
    plain = parse_spec({})
    assert resolved(plain, tmp_path) is plain


def test_code_runs_only_when_allowed(tmp_path):
    spec = resolved(custom(), tmp_path)
    with pytest.raises(CodeRefusedError) as refused:
        granted(spec, allowed=False)
    assert str(tmp_path / "my_optimizer.py") in str(refused.value) and "--allow-code" in str(refused.value)
    with pytest.raises(CodeRefusedError, match="there is no file .*optimizer-template my_optimizer.py"):
        granted(spec, allowed=True)
    (tmp_path / "my_optimizer.py").write_text(template())
    assert granted(spec, allowed=True) == [str((tmp_path / "my_optimizer.py").resolve())]
    assert granted(parse_spec({}), allowed=False) == []  # Keras' own optimizers are no code of the user's


def test_the_file_is_read_without_running_it(tmp_path):
    boom = tmp_path / "boom"
    source = f"open({str(boom)!r}, 'w').write('ran')\nclass A:\n    def update_step(self, g, v, lr):\n        pass\n"
    assert source_problem(source, "A") is None
    assert not boom.exists()  # parsed, never executed
    broken = source_problem("class A(\n    x = 1\n", "A")
    assert broken is not None and broken.line in (1, 2) and "syntax error" in str(broken)
    none = source_problem("class B:\n    pass\n", "A")
    assert none is not None and "no class `A`" in none.message and "classes there: B" in none.message
    no_rule = source_problem("import keras\n\nclass A(keras.optimizers.Optimizer):\n    pass\n", "A")
    assert no_rule is not None and no_rule.line == 3 and "update_step" in no_rule.message
    missing = file_problem(tmp_path / "nope.py", "A")
    assert missing is not None and "optimizer-template" in missing.message


def test_the_template_is_sgd_with_momentum_written_out():
    text = template("HeavyBall", "heavy.py")
    assert source_problem(text, "HeavyBall") is None
    assert "class HeavyBall(keras.optimizers.Optimizer):" in text and 'name="heavy_ball"' in text
    assert "THE UPDATE RULE" in text and "v <- momentum * v - learning_rate * g" in text
    assert "import numpy" not in text and "ops." in text  # keras.ops only: every backend
    assert '"path": "heavy.py"' in text


def test_the_trust_store_remembers_folders(tmp_path, monkeypatch):
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "config"))
    assert config_dir() == tmp_path / "config"
    project, other = tmp_path / "project", tmp_path / "other"
    project.mkdir(), other.mkdir(), (project / "inner").mkdir()
    store = TrustStore()
    assert not store.trusts(project / "opt.py")  # nothing is trusted at first (no file yet)
    store.trust(project)
    again = TrustStore()  # another process (the CLI, the app next week) reads what this one wrote
    assert again.trusts(project / "opt.py")
    assert not again.trusts(other / "opt.py") and not again.trusts(project / "inner" / "opt.py")
    assert json.loads((tmp_path / "config" / "trusted-folders.json").read_text()) == {"folders": [str(project)]}
    assert [p.name for p in (tmp_path / "config").iterdir()] == ["trusted-folders.json"]  # no temporary left
    again.forget(project)
    assert not TrustStore().trusts(project / "opt.py")


def test_a_broken_trust_file_trusts_nothing(tmp_path):
    path = tmp_path / "trusted-folders.json"
    for text in ("{not json", '{"folders": "/"}', "[1, 2]", '{"folders": [1, null]}'):
        path.write_text(text)
        assert not TrustStore(path).trusts(tmp_path / "a.py")
    TrustStore(path).trust(tmp_path)  # a new list replaces the broken one
    assert TrustStore(path).trusts(tmp_path / "a.py")


def test_runs_name_a_custom_optimizer_by_its_class():
    from studio.core.run_names import legend_labels, run_title

    adam = {"meta": {"title": "Lab"}, "optimizer": {"name": "adam", "learning_rate": 0.01}}
    mine = {"meta": {"title": "Lab"}, "optimizer": {"name": "custom", "path": "/a/sign.py",
                                                    "class_name": "SignSGD", "learning_rate": 0.01}}
    moved = {**mine, "optimizer": {**mine["optimizer"], "path": "/b/sign.py"}}
    assert run_title(adam, mine) == "Lab — SignSGD"
    assert legend_labels([adam, mine], ["a", "b"]) == ["adam", "SignSGD"]
    assert run_title(mine, moved) == "Lab"  # the same class from another folder is no new setting
