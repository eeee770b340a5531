"""Working-day calendars (weekends, public holidays, make-up working days) and deadline math."""
