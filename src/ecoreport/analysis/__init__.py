"""Stage 2: pure computations on the dataset (trends, comparisons, PCA, results)."""
