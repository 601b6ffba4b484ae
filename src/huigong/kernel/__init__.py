"""The platform kernel: the mechanisms every domain app opts into instead of writing its
own — a timeline of state changes (``timeline``), the actions an object offers on the
workbench, the portal and the API (``actions``), document numbers (``numbering``),
deadline sweeps and scheduled jobs (``registry``), and the registries through which an
app plugs its menu items, roles, portal tiles, reference seeds and demo loader into the
platform from its own ``AppConfig.ready`` (``registry``).

``docs/architecture.md`` ("The kernel") says how a new app uses each piece.
"""
