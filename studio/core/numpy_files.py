"""What a NumPy file that cannot be read is told as. NumPy refuses object arrays without `allow_pickle`, and
its message advises turning that on; unpickling runs code, so that advice is never passed on (one wording
for every reader of .npz / .npy files: data, keras.datasets copies, snapshots)."""

from __future__ import annotations

OBJECTS = ("it holds Python objects (an object array: ragged rows, strings or mixed types), which are never "
           "loaded because unpickling them can run code; save plain numbers, e.g. "
           "np.savez(path, x=x.astype('float32'), y=y)")


def numpy_problem(exc: BaseException) -> str:
    """The reason a NumPy file could not be read, in the user's terms."""
    text = str(exc)
    if "allow_pickle" in text or "Python objects" in text:
        return OBJECTS
    return text or type(exc).__name__
