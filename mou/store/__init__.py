"""The store: the only place that runs git.

``reader`` reads ids, revisions and the list without loading the model; ``workspace``
adds loading and saving (one save, one commit); ``git`` the plumbing
under it (one way to run git, locks, commit dates); ``objects`` writes git objects
directly; ``listing`` makes the rows of `mou list` and their cache; ``history`` loads
an agreement as of any revision; ``create`` makes a new workspace.
"""
