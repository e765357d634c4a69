"""Published edition and draft: which chapters are left out, what the analyst is told."""

from __future__ import annotations

from types import SimpleNamespace

from ecoreport.data.dataset import load_dataset
from ecoreport.report import draft as publish
from ecoreport.report.outline import CONCLUSIONS, notebook_chapters, render_toc


def test_left_out_chapters_leave_the_toc_and_the_notebooks():
    leave_out = (CONCLUSIONS, publish.CHANGES_CHAPTER)
    toc = render_toc(leave_out=leave_out)
    assert "notebooks/slutsatser" not in toc and "notebooks/andringar" not in toc
    assert "notebooks/pca" in toc
    paths = [c.path for c in notebook_chapters(leave_out=leave_out)]
    assert CONCLUSIONS not in paths and "notebooks/pca" in paths
    # a part left without chapters is left out too
    only = {"notebooks/pca", CONCLUSIONS}
    assert "caption: Analys" in render_toc(only=only)
    assert "caption: Analys" in render_toc(only=only, leave_out=(CONCLUSIONS,))
    alone = render_toc(only={CONCLUSIONS}, leave_out=(CONCLUSIONS,))
    assert "caption: Analys" not in alone and "parts:" not in alone  # the start page alone


def test_empty_chapters_follow_the_commentary_and_the_editions(tmp_path):
    dataset = load_dataset()
    empty = publish.empty_chapters(dataset, "24", 2024, tmp_path, previous_edition=False)
    assert set(empty) >= {CONCLUSIONS, publish.CHANGES_CHAPTER}
    (tmp_path / "2024" / "24").mkdir(parents=True)
    (tmp_path / "2024" / "24" / "slutsatser.md").write_text("Våra slutsatser.",
                                                            encoding="utf-8")
    empty = publish.empty_chapters(dataset, "24", 2024, tmp_path, previous_edition=True)
    assert CONCLUSIONS not in empty and publish.CHANGES_CHAPTER not in empty


def test_checklist_names_conclusions_targets_and_unchecked_licences(tmp_path):
    dataset = load_dataset()
    items = publish.analyst_checklist(dataset, "24", 2024, tmp_path)
    assert any(i.startswith("Skriv slutsatser") and "slutsatser.md" in i for i in items)
    unchecked = [s for s in publish.cited_sources(dataset, "24")
                 if publish.licence_unchecked(dataset.catalogue.sources[s])]
    assert unchecked  # the bundled data cite sources whose licence nobody has checked
    for source_id in unchecked:
        assert any(f"källan {source_id} " in i for i in items)
    text = publish.checklist_markdown(items, "Västerbottens län", 2024, draft=False)
    assert text.count("- [ ] ") == len(items)


def test_licence_check_and_commit_stripping():
    assert publish.licence_unchecked(SimpleNamespace(licence="Reglab's terms (unverified)",
                                                     licence_sv=None))
    assert publish.licence_unchecked(SimpleNamespace(licence="x", licence_sv="Ej kontrollerad"))
    assert not publish.licence_unchecked(SimpleNamespace(licence="CC0 1.0", licence_sv="CC0"))
    assert publish.without_commit("Data/ at commit 6571f1810d2d1f4637e6dbdc7ea533a031629429") \
        == "Data/"


def test_is_draft_reads_the_build_info():
    assert publish.is_draft(SimpleNamespace(build_info={publish.DRAFT_KEY: True}))
    assert not publish.is_draft(SimpleNamespace(build_info={}))
