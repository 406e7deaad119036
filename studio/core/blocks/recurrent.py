"""Recurrent blocks over (time, features), and Bidirectional, which wraps one of them."""

from __future__ import annotations

from studio.core.blocks.base import (
    KERAS_LAYERS,
    Block,
    RunDefaults,
    keras_object,
    kernel_regularizer,
    register,
)
from studio.core.blocks.declare import (
    ACTIVATIONS,
    choice,
    flag,
    fraction,
    integer,
    kernel_penalties,
)
from studio.core.shapes import last_dim, need_rank, sequence_fix

GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


def _rnn_params(kind: str, features: int, units: int) -> int:
    gates = GATES[kind]
    biases = 2 * gates * units if kind == "GRU" else gates * units  # GRU's reset_after keeps two biases
    return gates * units * (features + units) + biases


def _rnn_rule(kind: str):
    def rnn(inputs, p):
        (x,) = inputs
        need_rank(x, 2, kind, "steps×features", sequence_fix(x))
        f = last_dim(x, kind)
        out = (x[0], p["units"]) if p["return_sequences"] else (p["units"],)
        return out, _rnn_params(kind, f, p["units"]), 0

    return rnn


def _bidirectional(inputs, p):
    (x,) = inputs
    need_rank(x, 2, "Bidirectional", "steps×features", sequence_fix(x))
    f = last_dim(x, "Bidirectional")
    units = p["units"] * (2 if p["merge_mode"] == "concat" else 1)
    out = (x[0], units) if p["return_sequences"] else (units,)
    return out, 2 * _rnn_params(p["layer"], f, p["units"]), 0


def _wrap_layer(kwargs, defaults: RunDefaults):
    """Bidirectional takes a layer: the wrapped recurrent layer, with the run's kernel penalty, as config."""
    kwargs = dict(kwargs)
    inner, merge_mode = kwargs.pop("layer"), kwargs.pop("merge_mode")
    return {"layer": keras_object(KERAS_LAYERS, inner, kernel_regularizer(kwargs, defaults)),
            "merge_mode": merge_mode}


def _rnn(default_units=32):
    return (
        integer("units", default_units, "Size of the hidden state"),
        flag("return_sequences", False, "Output the whole sequence (needed before another recurrent block)"),
        choice("activation", "tanh", ACTIVATIONS, "Activation of the state update", advanced=True),
        fraction("dropout", 0.0, "Dropout on the inputs while training"),
        fraction("recurrent_dropout", 0.0, "Dropout on the recurrent state while training", advanced=True),
        flag("go_backwards", False, "Read the sequence in reverse", advanced=True),
    ) + kernel_penalties()


for _kind, _help in (("SimpleRNN", "Plain recurrent layer over (time, features)"),
                     ("LSTM", "Long short-term memory over (time, features)"),
                     ("GRU", "Gated recurrent unit over (time, features)")):
    register(Block(_kind, "Recurrent", _help, _rnn_rule(_kind), _rnn(), adapters=(kernel_regularizer,)))

register(Block("Bidirectional", "Recurrent", "Run a recurrent layer forwards and backwards and merge",
               _bidirectional, (
                   choice("layer", "LSTM", ("LSTM", "GRU", "SimpleRNN"), "The recurrent layer to wrap"),
                   integer("units", 32, "Size of each direction's hidden state"),
                   flag("return_sequences", False, "Output the whole sequence"),
                   choice("merge_mode", "concat", ("concat", "sum", "mul", "ave"), "How the two directions combine"),
                   fraction("dropout", 0.0, "Dropout on the inputs while training"),
               ), adapters=(_wrap_layer,)))
