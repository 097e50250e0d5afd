"""Word: the only place that touches templates and WordprocessingML.

``template`` chooses the template (``template_for``) and holds the Jinja environment,
which ``sandbox`` restricts to reading the context; ``context`` turns an agreement into
what the template reads; ``render`` fills the template; ``provenance`` stamps an export
and checks a copy on its own; ``signing`` signs and checks the provenance with SSH;
``verify`` decides what a returned copy proves; ``pdf`` converts with LibreOffice;
``build`` writes the packaged template in code; ``check`` lists what a template may not
do or uses that the model does not provide; ``ooxml`` reads parts and paragraphs, within
the zip-bomb limits.
"""
