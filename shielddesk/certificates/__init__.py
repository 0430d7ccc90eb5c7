"""The completion certificate: its keys, its one-page layout (reportlab) and its PAdES signature (pyhanko)."""
