"""mou in the browser: `streamlit run app.py` (workspace: this repository, or $MOU_WORKSPACE)."""

from mou.ui.app import main

main()
