"""Word: the only place that touches templates and WordprocessingML.

``template`` chooses the template (``template_for``) and holds the Jinja environment;
``context`` turns an agreement into what the template reads; ``render`` fills the
template; ``provenance`` stamps and verifies an export; ``pdf`` converts with
LibreOffice; ``build`` writes the packaged template in code; ``check`` lists what a
template uses that the model does not provide; ``ooxml`` reads parts and paragraphs.
"""
