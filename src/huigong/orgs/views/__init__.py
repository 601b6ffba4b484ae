"""The organization pages (``organizations``: list, tree, node page, create, edit, move,
merge, dissolve, import, picker search) and the grid pages (``grids``)."""

from .grids import GridCreateView, GridEditView, GridOfficersView
from .organizations import (
    OrganizationAutocompleteView,
    OrganizationCreateView,
    OrganizationDetailView,
    OrganizationDissolveView,
    OrganizationEditView,
    OrganizationListView,
    OrganizationMergeView,
    OrganizationMoveView,
    OrganizationTreeView,
    TreeChildrenView,
)

__all__ = [
    "GridCreateView",
    "GridEditView",
    "GridOfficersView",
    "OrganizationAutocompleteView",
    "OrganizationCreateView",
    "OrganizationDetailView",
    "OrganizationDissolveView",
    "OrganizationEditView",
    "OrganizationListView",
    "OrganizationMergeView",
    "OrganizationMoveView",
    "OrganizationTreeView",
    "TreeChildrenView",
]
