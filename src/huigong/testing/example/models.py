from django.db import models

from huigong.kernel.scope import ScopedQuerySetMixin
from huigong.kernel.timeline import TimelineEvent, TimelineQuerySet, Visibility


class ErrandQuerySet(ScopedQuerySetMixin, models.QuerySet):
    def of_worker(self, user):
        if not getattr(user, "person_id", None):
            return self.none()
        return self.filter(person_id=user.person_id)


class Errand(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "办理中"
        DONE = "done", "已办好"

    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT)
    title = models.CharField(max_length=100)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    due_date = models.DateField()
    is_overdue = models.BooleanField(default=False)

    objects = ErrandQuerySet.as_manager()

    def __str__(self) -> str:
        return self.title


class ErrandEvent(TimelineEvent):
    class Kind(models.TextChoices):
        OPENED = "opened", "登记"
        NOTE = "note", "备注"
        DONE = "done", "办好"
        OVERDUE = "overdue", "已逾期"

    subject_field = "errand"
    # The worker sees that it was taken and done, and what was done; notes stay inside.
    visibility = Visibility(
        worker=frozenset({Kind.OPENED, Kind.DONE}), worker_note=frozenset({Kind.DONE})
    )

    errand = models.ForeignKey(Errand, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)

    objects = TimelineQuerySet.as_manager()
