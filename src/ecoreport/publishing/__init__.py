"""Building and publishing the book: the build and its cache, kernels and workers, Jupyter
Book and the PDF, the Sphinx extension, the downloads, the landing page and review pages."""
