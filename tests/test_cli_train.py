"""`train sentences` needs the `train` extra: without scikit-learn it says so in one line."""

from __future__ import annotations

import importlib.util

from typer.testing import CliRunner

from rhetorscope.cli import app
from rhetorscope.errors import RhetorscopeError


def test_train_sentences_without_scikit_learn_names_the_extra(tmp_path, monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "sklearn" else real_find_spec(name, *a))
    result = CliRunner().invoke(app, ["train", "sentences", "--data", str(tmp_path), "--out", str(tmp_path / "m")])
    assert isinstance(result.exception, RhetorscopeError)
    assert "pip install 'rhetorscope[train]'" in str(result.exception)
    assert not (tmp_path / "m").exists()
