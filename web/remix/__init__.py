"""Remix: arrangements built from parts of other materials, and the licence check behind them."""
