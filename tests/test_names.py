"""The classes of names issue 12 is about, each on sentences written for this test."""

from __future__ import annotations

import pytest

from kg.extract import Extractor
from kg.model import Record


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


def _found(extractor, text: str, date=None) -> set[tuple[str, str]]:
    facts = extractor.extract(Record("tagged", "t.TXT", 0, 1, "1-01-1", "题", body=text))
    return {(m.kind, m.name) for m in facts.mentions}


@pytest.mark.parametrize("text,want,unwanted", [
    # a particle or half a title is no part of a name
    ("你们不相信党中央和林彪同志吗？", {("person", "林彪")}, {("person", "和林彪")}),
    ("大家高呼：向江青同志学习！", {("person", "江青")}, {("person", "向江青")}),
    ("今天向周总理和陈副总理作了汇报。", set(), {("person", "陈副")}),
    # reporters, photographers, people in a report, told by the words around them
    ("本报讯记者钱明远、郑晓岚报道：演习今天结束。",
     {("person", "钱明远"), ("person", "郑晓岚")}, set()),
    ("七连连长邵国栋仍在阵地上。", {("person", "邵国栋")}, set()),
    ("据卢秀兰回忆，那年冬天很冷。", {("person", "卢秀兰")}, set()),
    ("（杭立成、倪爱华、蔡东生）", {("person", "杭立成"), ("person", "倪爱华"),
                                 ("person", "蔡东生")}, set()),
    # a listed name that needs a title stands in an enumeration of names
    ("出席的有江泽民、李鹏、万里、乔石。", {("person", "万里")}, set()),
    # a transliterated foreign name joined with ·
    ("总统阿卜杜拉·萨利赫今天离京。", {("person", "阿卜杜拉·萨利赫")}, set()),
    # ordinary words are not names
    ("作者简介：这些史实说明了问题。", set(), {("person", "简介"), ("person", "史实")}),
])
def test_persons(extractor, text, want, unwanted):
    found = _found(extractor, text)
    assert want <= found, found
    assert not unwanted & found, found


@pytest.mark.parametrize("text,want,unwanted", [
    # the longest proper name wins; the name inside it is no mention of its own
    ("他时任新华社国际部副主任。", {("organization", "新华社国际部")}, {("organization", "新华社")}),
    ("南京军区“朱德警卫团”进行夏季训练。", {("organization", "朱德警卫团")}, {("person", "朱德")}),
    ("游客参观了海瑞墓。", {("place", "海瑞墓")}, {("person", "海瑞")}),
    ("他是铁道部专业设计院的工程师。", {("organization", "铁道部专业设计院")},
     {("organization", "铁道部")}),
    ("中共广东省委党校现代化战略研究所所长",
     {("organization", "中共广东省委党校现代化战略研究所")}, set()),
    # a body named through its post
    ("他被免去国防部长职务。", {("organization", "国防部")}, set()),
    # troops stationed somewhere are no unit of that name
    ("驻北京部队官兵认真学习。", {("place", "北京")}, {("organization", "北京部队")}),
    # a place and a bare school word is the place's schools
    ("北京中学的运动开始了。", {("place", "北京")}, {("organization", "北京中学")}),
    # a place written with a word of its own after it
    ("包括香港、澳门、台湾同胞。", {("place", "台湾")}, set()),
])
def test_units_and_places(extractor, text, want, unwanted):
    found = _found(extractor, text)
    assert want <= found, found
    assert not unwanted & found, found


@pytest.mark.parametrize("text,publications,titles", [
    ("文章载于《东南晨报》1999年5月4日。", {"东南晨报"}, set()),
    ("见《边疆问题研究》第3期。", {"边疆问题研究"}, set()),
    ("原载台北《新潮流》。", {"新潮流"}, set()),
    # a name in 《》 that is part of a mass organisation's name is neither
    ("地质学院《东方红》公社的同学，《东方红》同志们要求……", set(), set()),
    ("他读了《论持久战》。", set(), {"论持久战"}),
])
def test_publications_and_works_in_brackets(extractor, text, publications, titles):
    facts = extractor.extract(Record("tagged", "t.TXT", 0, 1, "1-01-1", "题", body=text))
    assert {m.name for m in facts.publications} == publications
    assert {c.title for c in facts.citations} == titles
