"""The block catalogue: every layer block Studio offers, described once.

The palette, the property inspector, the spec validator, the shape checker and the Keras builder are all
generated from `BLOCKS`. A block's parameters are named exactly as the Keras layer's keyword arguments,
except the few the builder translates (`kernel_l1`/`kernel_l2`, `value_max`, `layer` of Bidirectional).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studio.core.params import Param, ParamError, coerce_params

ACTIVATIONS = (
    "linear", "relu", "sigmoid", "softmax", "tanh", "elu", "selu", "gelu", "silu", "leaky_relu",
    "relu6", "softplus", "softsign", "mish", "hard_sigmoid", "exponential", "log_softmax",
)

CATEGORIES = (
    "Input", "Core", "Convolution", "Pooling", "Recurrent", "Normalization", "Regularization",
    "Reshaping", "Merging", "Augmentation",
)


@dataclass(frozen=True)
class Block:
    type: str  # the catalogue key, also the Keras layer class unless `keras_class` says otherwise
    category: str
    help: str
    params: tuple[Param, ...] = ()
    arity: int | None = 1  # inputs it takes: 0 for Input, 1 for most, None for two or more (merging)
    keras_class: str | None = None
    has_kernel: bool = False  # accepts kernel_l1 / kernel_l2 regularisation
    training_only: bool = False  # augmentation: active during fit, identity at inference

    @property
    def keras_name(self) -> str:
        return self.keras_class or self.type

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def check_params(self, given: dict[str, Any]) -> dict[str, Any]:
        """All parameters with defaults filled in; ParamError on an unknown name or a bad value."""
        return coerce_params(self.params, given, f"Block `{self.type}`")


# ---------------------------------------------------------------------------------------- shorthand
def _int(name, default, help, lo=1, hi=None, **kw):
    return Param(name, "int", default, help, minimum=lo, maximum=hi, **kw)


def _float(name, default, help, lo=None, hi=None, **kw):
    return Param(name, "float", default, help, minimum=lo, maximum=hi, **kw)


def _bool(name, default, help, **kw):
    return Param(name, "bool", default, help, **kw)


def _choice(name, default, choices, help, **kw):
    return Param(name, "choice", default, help, choices=tuple(choices), **kw)


def _ints(name, default, help, length=None, lo=1, **kw):
    return Param(name, "ints", default, help, minimum=lo, length=length, **kw)


def _activation(default="linear"):
    return _choice("activation", default, ACTIVATIONS, "Function applied to the output")


def _bias():
    return _bool("use_bias", True, "Add a learned bias to each output", advanced=True)


def _regularizers():
    return (
        _float("kernel_l1", None, "L1 penalty on the weights (empty: the run's default)", lo=0, optional=True,
               advanced=True),
        _float("kernel_l2", None, "L2 penalty on the weights (empty: the run's default)", lo=0, optional=True,
               advanced=True),
    )


def _rate(default=0.5, what="Fraction of units dropped while training"):
    return _float("rate", default, what, lo=0, hi=1, exclusive_max=True)


_PADDING = ("valid", "same")
_CONV_INIT = ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_normal", "lecun_uniform")


def _conv(dims: int, filters_help: str, padding=_PADDING):
    return (
        _int("filters", 32, filters_help),
        _ints("kernel_size", [3] * dims, "Size of the sliding window", length=dims),
        _ints("strides", [1] * dims, "Step of the window", length=dims),
        _choice("padding", "valid", padding, "valid: no padding (output shrinks); same: pad to keep the size"),
        _activation(),
        _ints("dilation_rate", [1] * dims, "Spacing between kernel taps", length=dims, advanced=True),
        _bias(),
        _choice("kernel_initializer", "glorot_uniform", _CONV_INIT, "How the weights start", advanced=True),
    ) + _regularizers()


def _pool(dims: int):
    return (
        _ints("pool_size", [2] * dims, "Size of the pooling window", length=dims),
        _ints("strides", None, "Step of the window (empty: the pool size)", length=dims, optional=True),
        _choice("padding", "valid", _PADDING, "valid: drop the border; same: pad to keep ceil(size / stride)"),
    )


def _global_pool():
    return (_bool("keepdims", False, "Keep the pooled axes with length 1", advanced=True),)


def _rnn(default_units=32):
    return (
        _int("units", default_units, "Size of the hidden state"),
        _bool("return_sequences", False, "Output the whole sequence (needed before another recurrent block)"),
        _choice("activation", "tanh", ACTIVATIONS, "Activation of the state update", advanced=True),
        _float("dropout", 0.0, "Dropout on the inputs while training", lo=0, hi=1, exclusive_max=True),
        _float("recurrent_dropout", 0.0, "Dropout on the recurrent state while training", lo=0, hi=1,
               exclusive_max=True, advanced=True),
        _bool("go_backwards", False, "Read the sequence in reverse", advanced=True),
    ) + _regularizers()


def _image_aug_value():
    return _float("value_max", 1.0, "Largest pixel value of the data (1 for scaled images, 255 for raw)",
                  lo=0, exclusive_min=True, advanced=True)


_FILL = ("reflect", "wrap", "constant", "nearest")

BLOCK_LIST: tuple[Block, ...] = (
    # ------------------------------------------------------------------------------ input
    Block("Input", "Input", "Where data enters: the shape of one sample, without the batch", (
        _ints("shape", [28, 28, 1], "Shape of one sample; empty entries mean variable length", lo=1,
              extra={"none_items": True}),
        _choice("dtype", "float32", ("float32", "int32"), "int32 for token ids feeding an Embedding",
                advanced=True),
    ), arity=0),
    # ------------------------------------------------------------------------------ core
    Block("Dense", "Core", "Fully connected layer: every output sees every input", (
        _int("units", 64, "Number of outputs"),
        _activation("relu"),
        _bias(),
        _choice("kernel_initializer", "glorot_uniform", _CONV_INIT, "How the weights start", advanced=True),
    ) + _regularizers(), has_kernel=True),
    Block("Activation", "Core", "Apply a function element-wise", (_activation("relu"),)),
    Block("Embedding", "Core", "Turn integer token ids into learned vectors", (
        _int("input_dim", 1000, "Vocabulary size: largest token id + 1"),
        _int("output_dim", 32, "Size of each vector"),
        _bool("mask_zero", False, "Treat id 0 as padding", advanced=True),
    ), has_kernel=False),
    # ------------------------------------------------------------------------------ convolution
    Block("Conv1D", "Convolution", "1-D convolution over sequences (time, features)",
          _conv(1, "Number of filters", ("valid", "same", "causal")), has_kernel=True),
    Block("Conv2D", "Convolution", "2-D convolution over images (height, width, channels)",
          _conv(2, "Number of filters"), has_kernel=True),
    Block("SeparableConv2D", "Convolution", "Depthwise then pointwise 2-D convolution: fewer weights", (
        _int("filters", 32, "Number of output filters"),
        _ints("kernel_size", [3, 3], "Size of the sliding window", length=2),
        _ints("strides", [1, 1], "Step of the window", length=2),
        _choice("padding", "valid", _PADDING, "valid: no padding; same: keep the size"),
        _activation(),
        _int("depth_multiplier", 1, "Depthwise channels per input channel", advanced=True),
        _bias(),
    ), has_kernel=False),
    Block("Conv2DTranspose", "Convolution", "Transposed 2-D convolution: learned up-sampling", (
        _int("filters", 32, "Number of filters"),
        _ints("kernel_size", [3, 3], "Size of the sliding window", length=2),
        _ints("strides", [1, 1], "Up-sampling factor", length=2),
        _choice("padding", "valid", _PADDING, "same: output = input × stride"),
        _activation(),
        _bias(),
    ) + _regularizers(), has_kernel=True),
    # ------------------------------------------------------------------------------ pooling
    Block("MaxPooling1D", "Pooling", "Keep the largest value of each window along time", _pool(1)),
    Block("MaxPooling2D", "Pooling", "Keep the largest value of each window", _pool(2)),
    Block("AveragePooling1D", "Pooling", "Average each window along time", _pool(1)),
    Block("AveragePooling2D", "Pooling", "Average each window", _pool(2)),
    Block("GlobalAveragePooling1D", "Pooling", "Average over all time steps", _global_pool()),
    Block("GlobalMaxPooling1D", "Pooling", "Maximum over all time steps", _global_pool()),
    Block("GlobalAveragePooling2D", "Pooling", "Average over height and width", _global_pool()),
    Block("GlobalMaxPooling2D", "Pooling", "Maximum over height and width", _global_pool()),
    # ------------------------------------------------------------------------------ recurrent
    Block("SimpleRNN", "Recurrent", "Plain recurrent layer over (time, features)", _rnn(), has_kernel=True),
    Block("LSTM", "Recurrent", "Long short-term memory over (time, features)", _rnn(), has_kernel=True),
    Block("GRU", "Recurrent", "Gated recurrent unit over (time, features)", _rnn(), has_kernel=True),
    Block("Bidirectional", "Recurrent", "Run a recurrent layer forwards and backwards and merge", (
        _choice("layer", "LSTM", ("LSTM", "GRU", "SimpleRNN"), "The recurrent layer to wrap"),
        _int("units", 32, "Size of each direction's hidden state"),
        _bool("return_sequences", False, "Output the whole sequence"),
        _choice("merge_mode", "concat", ("concat", "sum", "mul", "ave"), "How the two directions combine"),
        _float("dropout", 0.0, "Dropout on the inputs while training", lo=0, hi=1, exclusive_max=True),
    ), has_kernel=False),
    # ------------------------------------------------------------------------------ normalization
    Block("BatchNormalization", "Normalization", "Normalise each feature over the batch; speeds training", (
        _float("momentum", 0.99, "Momentum of the moving averages", lo=0, hi=1, advanced=True),
        _float("epsilon", 0.001, "Added to the variance for stability", lo=0, exclusive_min=True, advanced=True),
        _bool("center", True, "Learn an offset (beta)", advanced=True),
        _bool("scale", True, "Learn a scale (gamma)", advanced=True),
    )),
    Block("LayerNormalization", "Normalization", "Normalise each sample over its features", (
        _float("epsilon", 0.001, "Added to the variance for stability", lo=0, exclusive_min=True, advanced=True),
        _bool("center", True, "Learn an offset (beta)", advanced=True),
        _bool("scale", True, "Learn a scale (gamma)", advanced=True),
    )),
    Block("Rescaling", "Normalization", "Multiply and shift the input, e.g. 1/255 for raw pixels", (
        _float("scale", 1 / 255, "Multiplier"),
        _float("offset", 0.0, "Added after scaling"),
    )),
    # ------------------------------------------------------------------------------ regularization
    Block("Dropout", "Regularization", "Randomly zero inputs while training", (_rate(),)),
    Block("SpatialDropout1D", "Regularization", "Drop whole feature channels of a sequence while training",
          (_rate(0.2, "Fraction of channels dropped while training"),)),
    Block("SpatialDropout2D", "Regularization", "Drop whole feature maps of an image while training",
          (_rate(0.2, "Fraction of feature maps dropped while training"),)),
    Block("GaussianNoise", "Regularization", "Add zero-mean noise while training (sequences, tables, images)",
          (_float("stddev", 0.1, "Standard deviation of the noise", lo=0),)),
    # ------------------------------------------------------------------------------ reshaping
    Block("Flatten", "Reshaping", "Flatten each sample to one vector"),
    Block("Reshape", "Reshaping", "Give each sample a new shape with the same number of values", (
        _ints("target_shape", [-1], "New shape; one entry may be -1 to infer it", lo=-1),
    )),
    # ------------------------------------------------------------------------------ merging
    Block("Add", "Merging", "Sum several inputs of the same shape (residual connections)", arity=None),
    Block("Concatenate", "Merging", "Join several inputs along an axis", (
        _int("axis", -1, "Axis to join along", lo=None),
    ), arity=None),
    # ------------------------------------------------------------------------------ augmentation
    Block("RandomFlip", "Augmentation", "Flip images at random while training", (
        _choice("mode", "horizontal", ("horizontal", "vertical", "horizontal_and_vertical"), "Which flips"),
    ), training_only=True),
    Block("RandomRotation", "Augmentation", "Rotate images at random while training", (
        _float("factor", 0.1, "Largest rotation as a fraction of a full turn", lo=0, hi=1),
        _choice("fill_mode", "reflect", _FILL, "How to fill the corners", advanced=True),
    ), training_only=True),
    Block("RandomZoom", "Augmentation", "Zoom images in or out at random while training", (
        _float("height_factor", 0.1, "Largest zoom as a fraction of the height", lo=-1, hi=1),
        _float("width_factor", None, "Largest zoom of the width (empty: same as the height)", lo=-1, hi=1,
               optional=True),
        _choice("fill_mode", "reflect", _FILL, "How to fill the border", advanced=True),
    ), training_only=True),
    Block("RandomTranslation", "Augmentation", "Shift images at random while training", (
        _float("height_factor", 0.1, "Largest vertical shift as a fraction of the height", lo=0, hi=1),
        _float("width_factor", 0.1, "Largest horizontal shift as a fraction of the width", lo=0, hi=1),
        _choice("fill_mode", "reflect", _FILL, "How to fill the border", advanced=True),
    ), training_only=True),
    Block("RandomCrop", "Augmentation", "Crop a random window while training (the centre at inference)", (
        _int("height", 24, "Height of the crop", unit="px"),
        _int("width", 24, "Width of the crop", unit="px"),
    ), training_only=True),
    Block("RandomContrast", "Augmentation", "Change contrast at random while training", (
        _float("factor", 0.2, "Largest contrast change", lo=0, hi=1),
        _image_aug_value(),
    ), training_only=True),
    Block("RandomBrightness", "Augmentation", "Change brightness at random while training", (
        _float("factor", 0.2, "Largest brightness change as a fraction of the value range", lo=0, hi=1),
        _image_aug_value(),
    ), training_only=True),
    Block("RandomSaturation", "Augmentation", "Change colour saturation at random while training (RGB)", (
        _float("factor", 0.5, "Strength: 0 keeps the colours, 1 allows anything from grey to vivid", lo=0, hi=1),
        _image_aug_value(),
    ), training_only=True),
    Block("RandomHue", "Augmentation", "Shift the hue at random while training (RGB)", (
        _float("factor", 0.1, "Largest hue shift as a fraction of the colour wheel", lo=0, hi=1),
        _image_aug_value(),
    ), training_only=True),
)

BLOCKS: dict[str, Block] = {b.type: b for b in BLOCK_LIST}


def get(block_type: str) -> Block:
    """The catalogue entry for `block_type`; a clear error naming the close matches otherwise."""
    try:
        return BLOCKS[block_type]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(block_type, BLOCKS, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ParamError(f"Unknown block type `{block_type}`.{hint}") from None


def by_category() -> dict[str, list[Block]]:
    out: dict[str, list[Block]] = {c: [] for c in CATEGORIES}
    for b in BLOCK_LIST:
        out[b.category].append(b)
    return out
