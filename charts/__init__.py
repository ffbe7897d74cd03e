"""charts package."""
