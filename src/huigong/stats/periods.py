"""Reporting periods are ``huigong.kernel.periods`` (indicators are declared against them in
the kernel). ``parse_period`` stays importable from here for the tests not yet moved to
the kernel's name (``demo.tests``); new code imports ``huigong.kernel.periods``."""

from huigong.kernel.periods import parse_period

__all__ = ["parse_period"]
