"""The title a new run gets: the document's parent spec (as opened or last saved) and what the user changed
since, e.g. "Optimizer comparison: Adam — sgd, lr 0.01" (see studio.core.run_names)."""

from __future__ import annotations

import copy
from typing import Any, cast

from studio.core.run_names import run_title
from studio.core.spec import RunSpec, parse_spec
from studio.ui.document import Document, _SpecCommand


def parent_spec(doc: Document) -> dict[str, Any]:
    """The spec as it was opened or last saved: the undo stack's clean state; when edits made after an undo
    dropped that state, the spec as opened (the first step's starting point); with no steps, the spec."""
    stack = doc.undo_stack
    clean, count = stack.cleanIndex(), stack.count()
    if count and 0 < clean <= count:
        return copy.deepcopy(cast(_SpecCommand, stack.command(clean - 1)).after)
    if count:
        return copy.deepcopy(cast(_SpecCommand, stack.command(0)).before)
    return doc.spec


def titled_run_spec(doc: Document) -> RunSpec:
    """The document's run spec, titled after its parent and what differs from it."""
    spec = doc.spec
    spec.setdefault("meta", {})["title"] = run_title(parent_spec(doc), spec)
    return parse_spec(spec)
