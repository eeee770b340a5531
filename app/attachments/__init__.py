"""Attachments: photos and documents on a case, checked by content, stored under random names."""
