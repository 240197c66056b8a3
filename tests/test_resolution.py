"""Citation resolution by the date of a document's own text: adoption lines at the top of a
body, below a title line too, date the text a repost prints."""

from __future__ import annotations

import pytest

from kg.extract.meetings import adoption
from kg.iri import Minter
from kg.model import DateValue
from kg.pipeline import BuildOptions, build

from .conftest import needs_shared
from .test_identity import bha_txt, values

CITES = "http://purl.org/spar/cito/cites"
PLENUM_11_6 = "中国共产党第十一届中央委员会第六次全体会议"
LINE = "（一九八一年六月二十七日中国共产党第十一届中央委员会第六次全体会议一致通过）"


@pytest.mark.parametrize("body,expected", [
    (f"{LINE}\n正文。", (PLENUM_11_6, DateValue(1981, 6, 27))),
    (f"中国共产党中央委员会关于建国以来党的若干历史问题的决议\n{LINE}\n正文。",
     (PLENUM_11_6, DateValue(1981, 6, 27))),
    (f"关于建国以来党的若干历史问题的决议\n（草案）\n{LINE}\n正文。", (PLENUM_11_6, DateValue(1981, 6, 27))),
    ("\u3000决议\n\u3000（1990年12月30日通过）\n正文。", ("", DateValue(1990, 12, 30))),
    # Not at the top: below a sentence, below three headings, in the middle of the text.
    (f"全会认为，这个决议是正确的。\n{LINE}", ("", None)),
    (f"一\n二\n三\n{LINE}", ("", None)),
    (f"正文。\n再一段。\n{LINE}", ("", None)),
])
def test_adoption_lines_at_the_top_of_a_body(body, expected):
    assert adoption(body) == expected


def test_a_repost_is_cited_by_the_date_of_its_own_text(tmp_path):
    """A 2011 repost of a resolution adopted in 1981 (its adoption line below a title line)
    is what a 2000 essay citing it resolves to; its own citations resolve as a text of
    1981 (not to a document printed in 1990)."""
    corpus = tmp_path / "corpus"
    title = "关于建国以来党的若干历史问题的决议"
    bha_txt(corpus / "repost.txt", "f6e324489b", title,
            f"中国共产党中央委员会{title}\n{LINE}\n全会回顾了《关于加强党同人民群众联系的若干意见》。",
            date="2011-5-31", book="爱思想")
    bha_txt(corpus / "essay.txt", "a04f2623f6", "“文革”发生的必然与偶然",
            f"一九八一年的《{title}》作了结论。", date="2000-5-28", book="爱思想")
    bha_txt(corpus / "later.txt", "0000000001", "关于加强党同人民群众联系的若干意见",
            "一九九〇年的意见。", date="1990-3-1", book="爱思想")
    out = tmp_path / "out"
    build(BuildOptions(inputs=(corpus,), out=out))
    minter = Minter()
    repost = str(minter.document("bha", "f6e324489b"))
    assert repost in values(out, str(minter.document("bha", "a04f2623f6")), CITES)
    assert str(minter.document("bha", "0000000001")) not in values(out, repost, CITES)


@needs_shared
def test_the_real_repost_of_the_1981_resolution_is_cited(real_build):
    out, _ = real_build
    minter = Minter()
    assert str(minter.document("bha", "f6e324489b")) in values(
        out, str(minter.document("bha", "a04f2623f6")), CITES)
