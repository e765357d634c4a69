"""Stage 1: the catalogue, regions, tidy tables, validation and the loaded dataset."""
