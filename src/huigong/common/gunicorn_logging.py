"""gunicorn logger whose access log masks ID numbers and phones (``--logger-class``).

gunicorn writes its access log itself, outside Django's logging, with the request line
(query string included) and the referrer: a staff search for a full ID number would
otherwise land there in clear. See docs/deployment.md for the command line.
"""

from __future__ import annotations

from gunicorn import glogging

from .redact import redact


class RedactingLogger(glogging.Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            name: redact(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }
