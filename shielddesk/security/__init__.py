"""Passwords, OS keyring secrets and the idle-lock policy."""
