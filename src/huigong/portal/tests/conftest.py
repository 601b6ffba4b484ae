from huigong.accounts.tests.helpers import default_language, outbox  # noqa: F401  (fixtures)
