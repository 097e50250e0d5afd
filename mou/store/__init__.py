"""The store: the only place that runs git.

``reader`` reads ids, revisions and the list without loading the model; ``workspace``
adds loading and saving (one save, one commit); ``git`` the plumbing under both (one way
to run git, commit dates); ``gitlocks`` git's lock files (wait, never steal); ``policy``
the repository's rules for commits (signing, hooks, filters); ``gitconfig`` reads the
signing settings; ``objects`` writes git objects directly; ``listing`` makes the rows of
`mou list` and their cache; ``history`` loads an agreement as of any revision;
``origin`` answers where an export came from (templates found in history by hash);
``create`` makes a new workspace.
"""
