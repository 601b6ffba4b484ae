"""Use cases for the organization tree (``organizations``) and its grids (``grids``);
``base`` holds the checks they share. Import them from this package."""

from .grids import (
    assign_grid_officers,
    create_grid,
    eligible_grid_officers,
    update_grid,
)
from .organizations import (
    create_organization,
    dissolve_organization,
    merge_organizations,
    move_organization,
    update_organization,
)

__all__ = [
    "assign_grid_officers",
    "create_grid",
    "create_organization",
    "dissolve_organization",
    "eligible_grid_officers",
    "merge_organizations",
    "move_organization",
    "update_grid",
    "update_organization",
]
