import pytest

from tests.packaging.envs import build_dists


@pytest.fixture(scope="session")
def dists(tmp_path_factory):
    """(sdist, wheel) built from this checkout the way `python -m build` builds them."""
    return build_dists(tmp_path_factory.mktemp("build"))
