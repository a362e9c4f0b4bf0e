from __future__ import annotations

import pytest

from himaccess.geography.loading import load_reference_geography


@pytest.fixture
def geography(db: None) -> dict[str, int]:
    """The shipped reference geography, loaded through the real loader."""
    return load_reference_geography()
