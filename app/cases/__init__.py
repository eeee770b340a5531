"""Cases: start, view, history (the append-only audit trail)."""
