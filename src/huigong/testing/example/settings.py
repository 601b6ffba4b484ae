"""The project's settings with the example module installed — the only line it takes."""

from huigong.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "huigong.testing.example"]  # noqa: F405
