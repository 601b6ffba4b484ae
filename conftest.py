"""Root pytest configuration: shared fixtures and the browser-test switch."""

pytest_plugins = ["huigong.testing"]
