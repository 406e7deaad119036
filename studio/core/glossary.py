"""The glossary: the terms the coach, the lessons and the panels use, each in two lines with the setting it maps to.

A setting is a spec path (`optimizer.learning_rate`) or a block's parameter (`Dense.units`); the tests check that
each names one that exists, so the glossary cannot point at a setting that was renamed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    term: str
    text: str  # two short lines: what it is, then what changing it does
    setting: str  # a spec path, or Block.param; "" for a term that is a reading, not a setting


TERMS: tuple[Term, ...] = (
    Term("Accuracy", "The fraction of samples whose predicted class is the true one.\nRead it on the validation "
         "or test split: the training figure flatters a network that memorises.", "training.metrics"),
    Term("Activation", "The function a layer applies to its weighted sum (ReLU, sigmoid, tanh, softmax).\n"
         "Without one, stacked layers collapse into a single linear map.", "Dense.activation"),
    Term("Augmentation", "Random changes to each training image (crops, flips, rotations, colour jitter).\n"
         "The network never sees the same picture twice, so it over-fits less.", "data.augmentation"),
    Term("Backend", "The framework Keras runs on: TensorFlow, PyTorch or JAX.\nThe same spec trains on each; "
         "speed differs by model (the shoot-out measures it).", "training.backend"),
    Term("Batch normalisation", "Rescales a layer's outputs to zero mean and unit variance over the batch.\n"
         "Deeper networks train faster and tolerate higher learning rates.", "BatchNormalization.momentum"),
    Term("Batch size", "How many samples each update averages its gradient over.\nSmaller batches: more, noisier "
         "updates per epoch; larger: fewer, smoother, faster per sample.", "training.batch_size"),
    Term("Chance level", "The loss of guessing: ln K for K balanced classes (0.69 for two).\nA loss that stays "
         "there has learnt nothing; the coach flags it.", "training.loss"),
    Term("Convolution", "A small filter slid over the image, the same weights at every position.\nIt learns a "
         "feature once instead of once per pixel; kernel_size sets its window.", "Conv2D.filters"),
    Term("Data parallelism", "Each device trains on its share of the batch; the gradients are averaged.\n"
         "More devices, same model: faster epochs, the same result.", "training.distribution.mode"),
    Term("Dead ReLU", "A ReLU unit whose input is negative for every sample outputs 0 and stops learning.\n"
         "A too-high learning rate kills them; lower it or use a leaky activation.", "Dense.activation"),
    Term("Dropout", "During training, each unit's output is zeroed with probability `rate`.\nThe network cannot "
         "rely on any one unit: less over-fitting, slower training.", "Dropout.rate"),
    Term("Early stopping", "Stop when the watched validation figure has not improved for `patience` epochs.\n"
         "Keeps the best weights and saves the epochs over-fitting would waste.", "regularization.early_stopping"),
    Term("Epoch", "One pass over the whole training split.\nMore epochs let the loss fall further, until "
         "validation stops improving.", "training.epochs"),
    Term("Gradient clipping", "Caps the size of each update's gradient (by norm or value).\nStops one bad batch "
         "from throwing the weights far off; common for recurrent networks.", "optimizer.clipnorm"),
    Term("GRU", "A recurrent layer with update and reset gates that decide what to keep of the past.\nLighter "
         "than the LSTM (three gates' weights instead of four), often as accurate.", "GRU.units"),
    Term("Horizon", "How many steps ahead a forecaster predicts.\nFurther ahead is harder; compare with the naive "
         "guess at the same horizon.", "data.params"),
    Term("Label smoothing", "Trains against 0.9/0.1-style targets instead of 1/0.\nThe network grows less "
         "over-confident; a mild regulariser for classifiers.", "regularization.label_smoothing"),
    Term("Learning rate", "How far each update moves the weights along the gradient.\nToo high: the loss jumps or "
         "becomes NaN; too low: it barely falls.", "optimizer.learning_rate"),
    Term("Learning-rate schedule", "Changes the learning rate as training goes (cosine, exponential, steps).\n"
         "Large steps early, fine ones late.", "optimizer.schedule"),
    Term("Loss", "The number training minimises: cross-entropy for classes, squared error for values.\n"
         "Lower is better; compare runs on the validation loss.", "training.loss"),
    Term("LSTM", "A recurrent layer with a memory cell and input, forget and output gates.\nIt keeps information "
         "over long sequences where a plain RNN forgets.", "LSTM.units"),
    Term("MAE", "Mean absolute error: the average size of a regression's mistake, in the target's units.\nEasier "
         "to read than the squared error the loss uses.", "training.metrics"),
    Term("Momentum", "SGD that keeps a running direction of past gradients.\nIt speeds along steady slopes and "
         "damps zig-zags; 0.9 is usual.", "optimizer.params"),
    Term("Naive baseline", "For a series: predict that the last value seen repeats.\nA forecaster is only useful "
         "when it beats this guess.", "data.source"),
    Term("Normalisation", "Rescaling the features (standard: zero mean, unit variance), fitted on training data.\n"
         "Features of very different scales make the optimizer crawl.", "data.normalize"),
    Term("Optimizer", "The rule that turns gradients into weight updates: SGD, Adam, RMSprop …\nAdam adapts a step "
         "size per weight and is the usual first choice.", "optimizer.name"),
    Term("Over-fitting", "The training loss keeps falling while the validation loss rises.\nThe network memorises; "
         "add data, augmentation, dropout or weight decay, or stop early.", "regularization.early_stopping"),
    Term("Parameters", "The weights a network learns; the Check table counts them per block.\nMore can fit more, "
         "and over-fit more; lessons set budgets on them.", "model.blocks"),
    Term("Pooling", "Keeps the largest (or mean) value of each small window of a feature map.\nHalves the map, "
         "cuts the weights after it and tolerates small shifts.", "MaxPooling2D.pool_size"),
    Term("Reduce on plateau", "Divides the learning rate when the watched figure stops improving.\nA simple "
         "schedule that reacts to the run itself.", "optimizer.reduce_on_plateau"),
    Term("ReLU", "max(0, x): the usual hidden-layer activation.\nCheap, and its gradient does not vanish for "
         "positive inputs.", "Dense.activation"),
    Term("Seed", "The number that fixes the random start (weights, shuffling, splits).\nThe same seed repeats a "
         "run; several seeds show how much of a difference is luck.", "training.seed"),
    Term("Softmax", "Turns a layer's outputs into probabilities that sum to 1, one per class.\nThe output of a "
         "classifier trained with categorical cross-entropy.", "Dense.activation"),
    Term("Test split", "Samples held out until the end and never trained or tuned on.\nThe honest figure of how "
         "the model does on new data.", "data.test_split"),
    Term("Units", "The number of outputs of a Dense or recurrent layer: its width.\nWider layers fit more and cost "
         "more weights (inputs × units).", "Dense.units"),
    Term("Validation split", "Samples held out of training and scored after each epoch.\nThe curves that tell "
         "over-fitting from learning.", "data.validation_split"),
    Term("Vanishing gradients", "Gradients that shrink layer by layer toward the input, so early layers stop "
         "learning.\nReLU, batch normalisation and careful initialisation help.", "Dense.kernel_initializer"),
    Term("Weight decay", "Shrinks every weight a little at each update (an L2 penalty in Adam's form).\nSmaller "
         "weights, smoother functions, less over-fitting.", "optimizer.weight_decay"),
    Term("Window", "How many past steps a series model sees to make one prediction.\nToo short and it cannot tell "
         "where in a cycle it is.", "data.params"),
)


def search(text: str) -> list[Term]:
    """The terms whose name, explanation or setting contain `text` (all of them for ""); those it names first."""
    needle = text.strip().lower()
    found = [t for t in TERMS if needle in f"{t.term}\n{t.text}\n{t.setting}".lower()]
    return sorted(found, key=lambda t: needle not in t.term.lower())  # stable: alphabetical within each group
