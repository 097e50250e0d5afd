"""The store: the only place that runs git.

``workspace`` is the read and save API (one save, one commit); ``git`` the plumbing
under it (one way to run git, locks, commit dates); ``objects`` writes git objects
directly; ``listing`` makes the rows of `mou list` and their cache; ``history`` loads
an agreement as of any revision; ``create`` makes a new workspace; ``origin`` answers
where an export came from (templates found in history by hash); ``gitconfig`` reads the
signing settings.
"""
