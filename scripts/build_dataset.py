"""Build the bundled default dataset: ../shared source files -> data/values.csv, data/survey.csv.

load (catalogue, regions, real source files) -> convert (observed rows) -> generate
(seeded synthetic completion, see ``ecoreport_bundle.synthetic``) -> write (sorted, fixed float
format, "\\n" line endings). Rerunning with the same inputs and seed reproduces the files
byte for byte.

    python scripts/build_dataset.py [--shared ../shared] [--out data] [--seed 20261123]
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pandas as pd

from ecoreport_bundle import sources_convert as sc
from ecoreport_bundle import synthetic
from ecoreport.data.catalogue import load_catalogue
from ecoreport.data.tables import sort_tidy_rows, write_tidy_csv
from ecoreport_bundle.boundaries import SOURCE_PATH as BOUNDARIES_SOURCE
from ecoreport_bundle.boundaries import convert_lan_boundaries, lan_areas_km2, write_lan_boundaries
from ecoreport.paths import data_dir, project_root
from ecoreport.data.regions import load_regions, region_names
from ecoreport.data.vocab import RIKET_CODE

logger = logging.getLogger("build_dataset")

DEFAULT_SEED = 20261123
DALASTRATEGIN = Path("data-candidates/region-dalarna-dalastrategin")
EUROSTAT = Path("data-candidates/eurostat-nuts3-population-gdp")
UC = Path("data-candidates/uc-konkurser-lan")
# Eurostat files (paths under the shared folder), read with the län's NUTS 3 codes.
EUROSTAT_POPULATION = [EUROSTAT / "demo_r_pjanaggr3_2000-2022.tsv.gz",
                       EUROSTAT / "demo_r_pjanaggr3_2016-2025.tsv"]
EUROSTAT_GDP = EUROSTAT / "nama_10r_3gdp.tsv.gz"
# (converter, path under the shared folder); each returns observed rows. Where two files
# give the same cell they must agree (sources_convert.merge_observed); the first is kept.
REGION_SOURCES = [
    (sc.convert_uc_konkurser, UC / "uc_2017_november_excerpt.txt"),
    (sc.convert_uc_konkurser, UC / "uc_2022_november_excerpt.txt"),
    (sc.convert_fou, DALASTRATEGIN / "forskning_fou_per_inv.csv"),
    (sc.convert_nystartade, DALASTRATEGIN / "NystartadeForetag2023Uppd.xlsx"),
    (sc.convert_export, DALASTRATEGIN / "exportperinv_latin1.csv"),
    (sc.convert_matchning, DALASTRATEGIN / "matchning.csv"),
    (sc.convert_reglab,
     Path("data-candidates/region-dalarna-innovationsindex/Innovationsindex_reglab.csv")),
    (sc.convert_internationalisering, DALASTRATEGIN / "totalindex_2020.xlsx"),
    # the kommun panel repeats the Eurostat population for six years: kept as a cross-check
    (sc.convert_population, Path("data-candidates/scb-municip-nordin/municip_data.csv")),
]
# Series kept to one consistent vintage: the model report's figures for them (an SCB BRP
# vintage that differs from Eurostat's by about 1 %) are not merged in.
SINGLE_VINTAGE = ("brp",)
REFERENCE_FIGURES = Path("reference/vasterbotten-report-figures.csv")
REFERENCE_SURVEY = Path("reference/vasterbotten-nle-2024.csv")


def run(shared_dir: Path, out_dir: Path, seed: int = DEFAULT_SEED,
        catalogue_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Convert the real files in ``shared_dir``, complete them and write ``out_dir``.

    The catalogue and regions are read from ``catalogue_dir`` (default: the project's
    data folder). Returns the written values and survey frames.
    """
    shared_dir, out_dir = Path(shared_dir), Path(out_dir)
    catalogue_dir = Path(catalogue_dir) if catalogue_dir else data_dir()
    # load
    catalogue = load_catalogue(catalogue_dir)
    regions = load_regions(catalogue_dir)
    index = region_names(regions)
    infos = synthetic.indicator_infos(catalogue)
    survey_ids = [id_ for id_, ind in catalogue.indicators.items() if ind.kind == "survey"]
    # convert
    geo_codes = sc.eurostat_geo_codes(regions)
    frames = [sc.convert_eurostat_population([shared_dir / path for path in EUROSTAT_POPULATION],
                                             geo_codes),
              sc.convert_eurostat_gdp(shared_dir / EUROSTAT_GDP, geo_codes)]
    frames += [converter(shared_dir / path, index) for converter, path in REGION_SOURCES]
    # vendored in the repository (not under ../shared): SCB counts 2024 via Bippen/PoliSim
    frames.append(sc.convert_education_share())
    frames.append(sc.convert_population_20_64())
    reference = sc.convert_reference(shared_dir / REFERENCE_FIGURES, infos)
    frames.append(reference[~reference["indicator_id"].isin(SINGLE_VINTAGE)])
    observed = sc.merge_observed(frames)
    logger.info("%d observed rows from %d files", len(observed), len(frames))
    survey = sc.convert_survey(shared_dir / REFERENCE_SURVEY, survey_ids)
    # generate
    lan_codes = [region.code for region in regions if region.code != RIKET_CODE]
    boundaries = convert_lan_boundaries(shared_dir / BOUNDARIES_SOURCE)
    values = synthetic.generate(observed, infos, lan_codes, seed,
                                synthetic.load_specs(catalogue_dir),
                                areas=lan_areas_km2(boundaries))
    values = sort_tidy_rows(values)
    survey = survey.sort_values(["indicator_id", "region_code", "period"],
                                kind="stable").reset_index(drop=True)
    # write
    write_tidy_csv(values, out_dir / "values.csv", ("value",))
    write_tidy_csv(survey, out_dir / "survey.csv", ("share_pct",))
    write_lan_boundaries(shared_dir, out_dir, boundaries)
    counts = values["status"].value_counts().to_dict()
    logger.info("wrote %s (%s) and %s", out_dir / "values.csv", counts, out_dir / "survey.csv")
    return values, survey


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=project_root().parent / "shared",
                        help="folder with data-candidates/ and reference/ (default ../shared)")
    parser.add_argument("--out", type=Path, default=project_root() / "data",
                        help="output folder (default data/)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    run(args.shared, args.out, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
