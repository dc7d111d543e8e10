"""Campaign reports for marketing (issue 13)."""
