"""System checks that refuse an unsafe production start."""

from django.conf import settings
from django.core.checks import Error, Tags, register


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
