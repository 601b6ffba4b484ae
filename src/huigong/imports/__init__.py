"""The import engine: every registry's Excel/CSV import (persons, organizations; members
and stations next) runs here as a background job.

An import is a job (``ImportJob``) in two phases, each a Celery task that streams the
stored file in chunks:

1. *check* — every row is parsed, normalised and validated once, duplicates inside the
   file are found set-based per chunk (``ImportKey``), and every row with an error or a
   warning is recorded (``ImportIssue``); nothing is written to the registry;
2. *import* — on the user's confirmation the rows are read again, checked against the
   database as it is now, and written in batches.

Each chunk is one transaction that also moves the job's checkpoint, so a worker that is
killed mid-chunk loses nothing and repeats nothing: the job is picked up again from its
checkpoint (``services.resume_stalled``, a registered kernel job). A registry takes part
by registering an ``ImportKind`` (``imports.registry``) whose spec subclasses
``common.excel.ImportSpec``.
"""
