"""Remix: teachers compose arrangements from modules of any source, with the licence worked out."""
