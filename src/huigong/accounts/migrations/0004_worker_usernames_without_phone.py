"""Give worker accounts whose username carries their phone number a random one.

Usernames appear in clear in the change log (as the actor when a worker has no name),
in the lockout records of django-axes and in server logs; the demo loader named its
worker ``w`` + phone. Workers sign in with their phone (``WorkerPhoneBackend`` looks it up
by its keyed hash), so the username is never typed and can change freely. The lockout and
audit rows that carried the old name are renamed too.

Not reversible in substance: going back keeps the random usernames.
"""

import secrets

from django.db import migrations


def _new_username(User) -> str:
    while True:
        candidate = f"w{secrets.token_hex(7)}"
        if not User.objects.filter(username=candidate).exists():
            return candidate


def rename_workers(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    renamed = {}
    for user in User.objects.filter(kind="worker").exclude(phone="").iterator():
        if user.phone and user.phone in user.username:
            old = user.username
            user.username = _new_username(User)
            user.save(update_fields=["username"])
            renamed[old] = user.username
    if not renamed:
        return
    for label in ("axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        for old, new in renamed.items():
            model.objects.filter(username=old).update(username=new)
    for label in ("audit.ChangeLog", "audit.AccessLog"):
        model = apps.get_model(label)
        for old, new in renamed.items():
            model.objects.filter(actor_name=old).update(actor_name=new)
            model.objects.filter(object_repr=old).update(object_repr=new)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_token_order_code_purpose"),
        ("audit", "0001_initial"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(rename_workers, migrations.RunPython.noop)]
