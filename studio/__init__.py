"""Keras Studio: build, train, evaluate and export Keras 3 networks on TensorFlow, PyTorch or JAX."""

__version__ = "0.1.0"
