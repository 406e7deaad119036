"""What to type to add a missing backend: each backend is an extra of the keras-studio package."""

from __future__ import annotations


def install_command(backend: str) -> str:
    return f'pip install "keras-studio[{backend}]"'


def missing_backend(backend: str, installed: list[str], cli: bool = True) -> str:
    """One line: the backend is missing, the command that adds it, and the ones that would work now."""
    others = [b for b in installed if b != backend]
    option = f" (--backend {others[0]})" if others and cli else ""
    instead = (f", or choose an installed one: {', '.join(others)}{option}" if others
               else "; no backend is installed yet")
    return f"the {backend} backend is not installed; add it with: {install_command(backend)}{instead}"



EXPORT_EXTRA = "pip install 'keras-studio[export]'"
# the packages that EXPORT_EXTRA installs (pyproject.toml's export extra; a test keeps the two equal)
EXPORT_PACKAGES = ("onnx", "onnxruntime", "tf2onnx", "onnxscript")


def export_install_hint(missing: list[str]) -> str:
    """The pip command for `missing`, pointing to the export extra only when the extra installs all of them."""
    extra = f"   (or all export extras: {EXPORT_EXTRA})" if set(missing) <= set(EXPORT_PACKAGES) else ""
    return f"pip install {' '.join(missing)}{extra}"
