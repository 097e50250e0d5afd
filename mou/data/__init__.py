"""Files shipped inside the package: the JSON Schema and the default Word templates."""
