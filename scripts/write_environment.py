"""Write environment.yml from requirements.txt so conda users get the same pins."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run() -> None:
    pins = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    lines = [
        "# Generated from requirements.txt by scripts/write_environment.py (make lock).",
        "# conda env create -f environment.yml && conda activate ecoreport && pip install -e .",
        "name: ecoreport",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        "  - pip:",
        *[f"      - {pin}" for pin in pins],
    ]
    (ROOT / "environment.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    run()
