"""The org tree (county → township → village → grid), users, roles and jurisdiction."""
