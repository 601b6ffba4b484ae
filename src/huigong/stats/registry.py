"""The indicator registry is ``huigong.kernel.indicators``: apps of every layer declare
their statistics there, below ``stats``, which reads it. These names stay importable from
here for the tests not yet moved to the kernel's name (``demo.tests``); new code imports
``huigong.kernel.indicators``."""

from huigong.kernel.indicators import get_indicator, get_ratio

__all__ = ["get_indicator", "get_ratio"]
