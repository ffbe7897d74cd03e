"""Stored data → measure results: the one seam every page, meeting mode, both packs, the CLI and the warm-up ask.

frames (snapshot or fetch, then prepare) → measures (metrics/) → SPC with the catalogue's settings → change, RAG,
variation and assurance. Nothing outside this room computes a statistic; two screens that show one figure call the
same function here. Streamlit-free: the app caches these functions (ui/results_cache.py), the CLI and the packs call
them directly.
"""
