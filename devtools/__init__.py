"""Tools for development and tests; never imported by the app."""
