"""The store: the only place that runs git.

``workspace`` is the read and save API (one save, one commit); ``git`` the plumbing
under it (one way to run git, commit dates); ``gitlocks`` git's lock files (wait, never
steal); ``policy`` the repository's rules for commits (signing, hooks, filters);
``objects`` writes git objects directly; ``listing`` makes the rows of `mou list` and
their cache; ``history`` loads an agreement as of any revision; ``create`` makes a new
workspace.
"""
