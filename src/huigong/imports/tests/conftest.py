import pytest

from huigong.imports.registry import get_kind


@pytest.fixture
def person_kind():
    """The person import, as the people app registers it."""
    return get_kind("people.person")
