"""Demand signals: what teachers search for and do not find, and the wishes they leave for makers."""
