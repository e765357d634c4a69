"""Text helpers shared by the report's content and its publishing: Swedish number
formatting and escaping for MyST, HTML, LaTeX and URLs."""
