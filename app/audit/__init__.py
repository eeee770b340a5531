"""The security log: sign-ins, failed sign-ins, tokens, role changes, exports, reveals of personal data."""
