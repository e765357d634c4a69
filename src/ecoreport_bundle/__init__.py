"""Building the bundled data/ folder from ../shared (real files) and the seeded generator.

Only scripts/build_dataset.py and its tests use this package; the runtime package
`ecoreport` never imports it.
"""
