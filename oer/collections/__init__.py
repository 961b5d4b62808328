"""Curated collections (themapagina's): ordered materials chosen by the redactie or an organisation."""
