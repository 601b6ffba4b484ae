"""Demonstration and load-test data: the 祁东县 demo county and synthetic counties."""
