"""The one error of the data layer (its own module so every data module can import it without a cycle)."""


class DataError(ValueError):
    """Data that cannot be used, with a message naming the file, column or row and what to do."""
