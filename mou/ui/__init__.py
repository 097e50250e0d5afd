"""The Streamlit drafting wizard: thin pages over the model, store, rules and render layers."""
