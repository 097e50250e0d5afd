"""One module per page of the app besides the wizard steps (those are in :mod:`mou.ui.steps`)."""
