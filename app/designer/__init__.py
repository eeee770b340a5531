"""Process designer: case type versions, upload and deploy, form editor, version diff."""
