"""Fixtures for the region tests: the real reference files, loaded into the test database."""

import pytest

from filing_portal.regions.models import Region
from filing_portal.regions.services import reference_data_load


@pytest.fixture
def reference_data(db):
    """All four provinces from fixtures/reference/, loaded the way `load_reference_data` does."""
    return reference_data_load()


@pytest.fixture
def region(reference_data):
    """Look a loaded region up by its GB/T 2260 code: `region("340100")` → 合肥市."""
    return lambda code: Region.objects.get(code=code)
