"""Administration within an admin's subtree: org units, users and roles, CSV import, the security log."""
