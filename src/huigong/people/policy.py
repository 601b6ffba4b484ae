"""The reads of people: the staff loaders through the data scope (a guessed id outside
it is a 404), and the worker's own record. The workbench and the API load through here."""

from __future__ import annotations

from django.db.models import QuerySet

from huigong.kernel.scope import get_visible_or_404

from .models import HouseholdMember, Person

VIEW_PERM = "people.view_person"


def persons() -> QuerySet[Person]:
    """Persons with what their pages and the API show of them."""
    return Person.objects.select_related("organization", "employer")


def visible_person(user, pk: int, perm: str = VIEW_PERM) -> Person:
    return get_visible_or_404(persons(), user, perm, pk=pk)


def visible_member(user, person_pk: int, member_pk: int) -> HouseholdMember:
    """A household member of a person in ``user``'s scope."""
    return get_visible_or_404(
        HouseholdMember.objects.select_related("person__organization"),
        user,
        VIEW_PERM,
        pk=member_pk,
        person_id=person_pk,
    )


def own_person(user) -> Person | None:
    """The worker's own person record (``None`` for staff or an unlinked account)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "person_id", None):
        return None
    return persons().filter(pk=user.person_id).first()
