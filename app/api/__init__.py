"""The JSON API under /api/v1: routes and serialisers only; the services do the work."""
