from .helpers import default_language, outbox, send_code  # noqa: F401  (fixtures)
