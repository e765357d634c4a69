"""Stage 3: the report: text, charts, chapters, the book build and the PDF."""
