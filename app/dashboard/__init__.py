"""Command-centre statistics: rates by jurisdiction and period, dashboard page, exports."""
