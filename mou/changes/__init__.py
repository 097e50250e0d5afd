"""Comparison: what changed between two versions of an agreement, and who changed it.

``diff`` is the semantic change list (by id, never by position); ``blame`` credits each
field to the revision that last changed it; ``compare`` marks two Word documents'
differences as tracked changes; ``redline`` puts these together for a reviewer.
They receive models and revisions from :mod:`mou.store` and never run git.
"""
