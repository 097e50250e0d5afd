"""Files shipped inside the package: the default template, the schema, a sample agreement."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = DATA_DIR / "templates"
PACKAGED_TEMPLATE = TEMPLATES_DIR / "mou.docx"
SAMPLE_AGREEMENT = DATA_DIR / "sample.yaml"
