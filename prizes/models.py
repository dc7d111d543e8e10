"""Promo codes, the prize draw and the store registry (issue 13)."""
