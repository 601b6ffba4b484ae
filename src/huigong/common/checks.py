"""System checks that refuse an unsafe production start (registered by ``CommonConfig.ready``)."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.security, deploy=False)
def production_settings(app_configs, **kwargs):
    if settings.HUIGONG_ENV != "production":
        return []
    errors = []
    if settings.DEBUG:
        errors.append(Error("HUIGONG_DEBUG must be off in production.", id="huigong.E001"))
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY or len(settings.SECRET_KEY) < 40:
        errors.append(Error("Set HUIGONG_SECRET_KEY to a long random value.", id="huigong.E002"))
    if settings.DEV_ENCRYPTION_KEY in settings.ENCRYPTION_KEYS:
        errors.append(
            Error("Set HUIGONG_ENCRYPTION_KEY to a Fernet key of your own.", id="huigong.E003")
        )
    if settings.LOOKUP_HASH_KEY == settings.DEV_HASH_KEY:
        errors.append(
            Error("Set HUIGONG_HASH_KEY to a random value of your own.", id="huigong.E004")
        )
    return errors


@register(Tags.security)
def sendfile_settings(app_configs, **kwargs):
    """HUIGONG_SENDFILE_HEADER names a header the web server acts on, or nothing."""
    from huigong.common.files import SENDFILE_HEADERS

    if settings.SENDFILE_HEADER and settings.SENDFILE_HEADER not in SENDFILE_HEADERS:
        return [
            Error(
                f"HUIGONG_SENDFILE_HEADER must be empty or one of {', '.join(SENDFILE_HEADERS)}.",
                id="huigong.E020",
            )
        ]
    return []


@register(Tags.security)
def private_files_outside_url_space(app_configs, **kwargs):
    """Uploaded files must not sit where a URL reaches them: not inside MEDIA_ROOT or
    STATIC_ROOT (served by the web server or WhiteNoise), nor around them."""
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    errors = []
    for name in ("MEDIA_ROOT", "STATIC_ROOT"):
        public = Path(getattr(settings, name)).resolve()
        if private == public or public in private.parents or private in public.parents:
            errors.append(
                Error(
                    f"HUIGONG_PRIVATE_MEDIA_ROOT ({private}) overlaps {name} ({public}): "
                    "uploaded files could be reached by URL.",
                    hint="Give the private files a directory of their own, outside every "
                    "directory a web server serves.",
                    id="huigong.E021",
                )
            )
    return errors


@register(Tags.database)
def encryption_key_matches_data(app_configs=None, databases=None, **kwargs):
    """Refuse keys that do not decrypt the stored protected data (a database restored
    beside another key). Tagged "database": runs on ``migrate`` and ``check --database
    default``, never on a plain ``check``."""
    from huigong.common.keycheck import sample_undecryptable

    if not databases:
        return []
    try:
        mismatches = sample_undecryptable()
    except DatabaseError:
        return []  # before the first migrate there is nothing to decrypt
    return [
        Error(
            f"{m.failed} of {m.sampled} sampled values of {m.column} cannot be decrypted: "
            "HUIGONG_ENCRYPTION_KEY(S) does not match the key that encrypted this database.",
            hint="Configure the key (or, after a rotation, all keys) the data was written "
            "with; see docs/deployment.md, sections 6 and 7.",
            id="huigong.E005",
        )
        for m in mismatches
    ]
