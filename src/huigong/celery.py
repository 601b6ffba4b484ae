"""Celery application. Without a broker configured, tasks run eagerly in-process.

The beat schedule is not a setting: it is built from the deadline sweeps and periodic
jobs the installed apps register (``huigong.kernel.registry``), once the app is final."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huigong.settings")

app = Celery("huigong")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule_registered_jobs(sender, **kwargs) -> None:
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from huigong.kernel.registry import beat_schedule

    sender.conf.beat_schedule = {**beat_schedule(), **(sender.conf.beat_schedule or {})}
