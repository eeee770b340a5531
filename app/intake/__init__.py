"""Intake: the event taxonomy and admission list, the 12345 desk, routing by location, duplicates, Open311."""
