import pytest

from huigong.imports.registry import ImportKind, get_kind, register_import
from huigong.people.imports import PersonImportSpec


@pytest.fixture
def person_kind():
    """The person import (registered by the people app once it uses the engine)."""
    try:
        return get_kind("people.person")
    except LookupError:
        kind = ImportKind(
            "people.person", PersonImportSpec, "people.import_person", title="职工名册"
        )
        register_import(kind)
        return kind
