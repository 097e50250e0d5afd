"""Helpers shared by the tests: real workspaces, real documents, a real browser."""
