"""`make bench`: gridcase measured against the SpiffWorkflow floor at county scale (see bench/README.md)."""
