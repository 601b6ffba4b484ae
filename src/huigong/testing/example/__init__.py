"""A minimal module on the kernel, as a newcomer's template and as the proof that an app
plugs in through ``INSTALLED_APPS`` alone: one model (``Errand``, a task a station owes
a worker) with a timeline, two actions, one deadline sweep, one menu item, one portal
tile, one page and one API route. Nothing outside this folder names it.

It is installed only by its own settings (``huigong.testing.example.settings``), which
``make test`` uses for ``tests/`` here; see ``docs/architecture.md``, "Adding an app".
"""
