"""Grid base data: market entities, residents and buildings, each belonging to a grid (DOMAIN.md §8)."""
