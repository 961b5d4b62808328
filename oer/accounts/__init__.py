"""Accounts: users, organisations and their members, platform roles, API tokens and the audit log."""
