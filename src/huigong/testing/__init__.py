"""Test support: the shared fixtures (``fixtures``, loaded as a pytest plugin by the root
``conftest.py``), factories, API and spreadsheet helpers, and ``example``, a minimal
module on the kernel with its own settings."""
