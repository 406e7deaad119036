"""The results area and its registry of result views (see `area`, `registry` and `context`)."""
