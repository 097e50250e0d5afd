"""The Streamlit drafting wizard: thin pages over the model, store, rules and document layers.

The folders show the layers; each module imports only from the layers below it:

- ``app``: the entry. The one module that knows every page: it lists them for
  ``st.navigation`` and registers them with ``routing``.
- ``pages/`` (Agreements, Review and save, History, Export, Partner's returned copy) and
  ``steps/`` (the wizard steps, one module each, ordered in ``steps.STEPS``). Pages never
  import one another.
- ``chrome`` (the frame of a draft page), ``controls`` (controls shared by the steps),
  ``fields`` (widgets bound to the draft), ``changes`` (change lists), ``readiness``.
- ``routing`` (slugs, titles, moving between pages), ``state`` (drafts and the
  workspace), ``style``, and ``rows`` (pure conversions, no Streamlit).
"""
