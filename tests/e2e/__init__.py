"""Browser tests: Playwright driving Debian's Chromium against `streamlit run` on a seeded database."""
