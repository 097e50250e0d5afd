"""The Streamlit wizard's pages: thin, calling the model, store, rules and render layers."""
