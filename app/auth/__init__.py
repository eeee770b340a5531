"""Sign-in, sign-out, language choice and API tokens."""
