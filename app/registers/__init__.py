"""Grid base data: market entities and residents, each belonging to a grid (DOMAIN.md §8)."""
