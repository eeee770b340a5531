"""Task forms as JSON Schema (+ UI schema): load, localize, render to HTML, validate."""
