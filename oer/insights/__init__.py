"""Insight: public aggregates of the catalogue, operators' figures, and dated snapshots of them."""
