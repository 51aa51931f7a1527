"""Bring your own data: a leadscore.yml describing your lead table, checked before anything runs."""
