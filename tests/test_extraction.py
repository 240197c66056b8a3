"""Extraction quality on the annotated set, the segmenter against jieba, and the rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.evaluate import evaluate
from kg.extract.meetings import find_meetings
from kg.model import DateValue

from .conftest import SHARED, needs_shared

METADATA = ("documents", "titles", "dates", "authors", "publications", "keywords", "tags",
            "adoption")


@needs_shared
@pytest.mark.parametrize("gold,build", [("gold.json", "annotated_build"),
                                        ("seeds.gold.json", "seeds_build")])
def test_scores_meet_the_targets(gold, build, request):
    out, _ = request.getfixturevalue(build)
    scores = evaluate(SHARED / "annotated" / gold, out)
    for kind in METADATA:
        assert scores[kind]["f1"] == 1.0, (kind, scores[kind])
    for kind in ("persons", "organizations", "places", "meetings", "citations",
                 "publications_mentioned"):
        assert scores[kind]["f1"] == 1.0, (kind, scores[kind])


@needs_shared
def test_real_records_meet_the_targets(real_build):
    """The hand-annotated real records (issue 12's targets), built with the whole of real/."""
    out, _ = real_build
    scores = evaluate(SHARED / "annotated-real" / "gold.json", out)
    assert scores["documents"]["recall"] == 1.0, scores["documents"]
    for kind in ("persons", "organizations", "places"):
        assert scores[kind]["f1"] >= 0.93 and scores[kind]["precision"] >= 0.95, \
            (kind, scores[kind])
    assert scores["meetings"]["f1"] >= 0.97, scores["meetings"]
    assert scores["citations"]["f1"] >= 0.95 and scores["citations"]["precision"] >= 0.95, \
        scores["citations"]
    assert scores["publications_mentioned"]["f1"] >= 0.95


@needs_shared
def test_fast_segmenter_equals_jieba_and_spacy():
    import jieba

    from kg.extract.nlp import Segmenter, make_nlp
    from kg.readers import input_files, read_file
    from kg.model import Record
    nlp = make_nlp()  # adds the gazetteer words to jieba, as the segmenter does to rjieba
    segmenter = Segmenter()
    texts = []
    for item in input_files([SHARED / "real"], "解放军报"):
        if item.path.suffix in (".txt", ".TXT") and len(texts) < 150:
            _, records = read_file(item.source(), item.path.read_bytes())
            texts += [r.body for r in records if isinstance(r, Record)]
    assert len(texts) >= 150
    for text in texts:
        reference = jieba.lcut(text)
        assert segmenter.cut(text) == reference
        assert [t.text for t in nlp(text) if not t.is_space] == \
            [w for w in reference if w.strip()]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="abcxyzABCTXYZ019+#&._%- ，/:（Ｘ１", min_size=1, max_size=14))
def test_runs_without_chinese_are_cut_as_jieba_cuts_them(run):
    """The segmenter's small tokenizer for such runs against jieba with its whole dictionary
    and the gazetteer words."""
    import jieba

    from kg.extract.nlp import _install_words_in_jieba, _latin_tokenizer
    _install_words_in_jieba()
    assert _latin_tokenizer().lcut(run) == jieba.lcut(run)


@pytest.mark.parametrize("text,date,names", [
    ("党的十一届三中全会以来", None, ["中国共产党第十一届中央委员会第三次全体会议"]),
    ("十三大报告指出", None, ["中国共产党第十三次全国代表大会"]),
    ("论十大关系，三大纪律八项注意", None, []),
    ("七届人大三次会议", None, ["第七届全国人民代表大会第三次会议"]),
    ("六中全会通过的决议", DateValue(1981, 7, 1), ["中国共产党第十一届中央委员会第六次全体会议"]),
    ("十四届三中全会和三中全会", None, ["中国共产党第十四届中央委员会第三次全体会议"] * 2),
    ("中国共产党第八次全国代表大会", None, ["中国共产党第八次全国代表大会"]),
])
def test_meetings(text, date, names):
    assert [m.name for m in find_meetings(text, date)] == names
