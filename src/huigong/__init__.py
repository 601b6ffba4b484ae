"""Huigong (惠工): worker-service platform for trade-union federations."""

from .celery import app as celery_app

__all__ = ["celery_app"]
