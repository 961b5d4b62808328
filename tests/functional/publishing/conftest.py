"""The publishing suite runs on the site and people of `tests.fixtures.sites`."""
