"""A generator of realistic synthetic archives, deterministic from a seed.

Run: .venv/bin/python benchmarks/generate.py OUT --documents 10000 [--seed 1]

Writes about two thirds of the documents as tagged newspaper records (one per file, in the
archive's YYYY/YYYYMM/YYYYMMDD/ layout, half of them GB18030 with CRLF as the real archive
stores them) under OUT/jfjb/ (with a corpus.toml naming 解放军报) and the rest as BHA txt
exports under OUT/bha/. Bodies are assembled from sentence patterns (written for this
project) filled with gazetteer names, meetings and dates across 1950–1999; a skewed (Zipf)
choice of earlier documents is cited by full title and then by short forms (《决定》,
十三届六中全会的《决定》, 中共中央《关于…》); some documents are adopted at a plenum; a few are
reprinted the same day in the other collection.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from kg.datafiles import read_tsv
from kg.extract.meetings import plenum_name

SENTENCES = (
    "{person}同志在{place}考察时强调，要认真贯彻{meeting}精神，把各项工作落到实处。",
    "{org}近日召开会议，研究部署{place}地区的经济体制改革和党的建设工作。",
    "新华社{place}{month}月{day}日电 {org}发出通知，要求各级党组织加强思想政治工作。",
    "会议认为，{meeting}以来，{place}的工业和农业生产都有了较大发展，人民生活得到改善。",
    "广大干部群众表示，一定要在{org}的领导下，团结一致，艰苦奋斗，夺取新的胜利。",
    "{person}指出，密切联系群众是我们党的优良传统，任何时候都不能丢。",
    "各地在学习中紧密联系实际，总结经验，查找不足，制定了切实可行的整改措施。",
    "这次会议是在{year}年召开的，出席会议的有{org}的负责同志和{place}的代表。",
    "{place}驻军某部坚持把理论学习放在首位，官兵的政治觉悟明显提高。",
    "实践证明，只有坚持实事求是，才能把改革开放和现代化建设不断推向前进。",
    "{person}和{person2}等同志出席了座谈会，并同与会代表进行了亲切交谈。",
    "文章回顾了{place}解放以来的发展历程，总结了几十年来的基本经验。",
)
TYPES = ("决定", "决议", "通知", "建议", "条例", "意见")
TOPICS = ("加强党的建设", "经济体制改革", "军队政治工作", "农业生产", "科学技术体制改革",
          "教育体制改革", "精神文明建设", "整顿党风", "国营企业管理", "干部队伍建设",
          "民兵工作", "城市建设", "对外开放", "基层组织建设", "廉政建设")


def _names(file: str, limit: int) -> list[str]:
    return [row["name"] for row in read_tsv(file) if row.get("name")][:limit]


class Archive:
    def __init__(self, documents: int, seed: int):
        self.random = random.Random(seed)
        self.count = documents
        self.persons = _names("persons.tsv", 300)
        self.orgs = _names("organizations.tsv", 150)
        self.places = [p for p in _names("places.tsv", 400) if len(p) >= 2]
        self.titles: list[tuple[str, str, str]] = []  # (title, type word, adopting meeting)

    def _body(self, year: int, sentences: int) -> str:
        r = self.random
        paragraphs = []
        for _ in range(sentences):
            term = max(7, min(15, (year - 1945) // 5 + 7))
            meeting = f"{self._cn(term)}届{self._cn(r.randint(1, 7))}中全会"
            text = r.choice(SENTENCES).format(
                person=r.choice(self.persons), person2=r.choice(self.persons),
                org=r.choice(self.orgs), place=r.choice(self.places), meeting=meeting,
                year=year, month=r.randint(1, 12), day=r.randint(1, 28))
            paragraphs.append(text)
        return paragraphs

    @staticmethod
    def _cn(n: int) -> str:
        digits = "零一二三四五六七八九"
        return digits[n] if n < 10 else ("" if n // 10 == 1 else digits[n // 10]) + "十" + \
            (digits[n % 10] if n % 10 else "")

    def _citations(self) -> list[str]:
        """Citation sentences for earlier documents, skewed towards a few famous ones."""
        r = self.random
        if not self.titles:
            return []
        out = []
        for _ in range(r.choice((0, 1, 1, 2, 3))):
            index = min(len(self.titles) - 1, int(r.paretovariate(1.2)) - 1)
            title, kind, meeting = self.titles[index]
            out.append(f"认真学习《{title}》，深刻领会其精神实质。")
            form = r.random()
            if meeting and form < 0.3:
                out.append(f"{meeting}的《{kind}》为今后的工作指明了方向。")
            elif form < 0.7:
                out.append(f"《{kind}》指出，要从实际出发，讲求实效。")
            if title.startswith("中共中央关于") and form > 0.85:
                out.append(f"党中央《{title[4:]}》发布以后，各地认真贯彻执行。")
        return out

    def records(self):
        r = self.random
        for n in range(self.count):
            year = 1950 + n * 50 // self.count
            month, day = r.randint(1, 12), r.randint(1, 28)
            paragraphs = self._body(year, r.randint(10, 40))
            paragraphs[1:1] = self._citations()
            adopted = ""
            if r.random() < 0.03:
                kind = r.choice(TYPES)
                term = max(7, min(15, (year - 1945) // 5 + 7))
                session = r.randint(1, 7)
                adopted = f"{self._cn(term)}届{self._cn(session)}中全会"
                title = f"中共中央关于{r.choice(TOPICS)}的{kind}（{year}）"
                paragraphs.insert(0, f"（{adopted}{self._cn_year(year)}年{self._cn(month)}月"
                                     f"{self._cn(day)}日通过）")
                self.titles.insert(0, (title, kind, adopted))
                self.titles = self.titles[:200]
            else:
                title = f"{r.choice(self.places)}{r.choice(TOPICS)}的新进展"
            yield n, year, month, day, title, paragraphs

    @staticmethod
    def _cn_year(year: int) -> str:
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(year))


def write_archive(out: Path, documents: int, seed: int = 1, only: range | None = None) -> int:
    """Write the archive; return the number of characters of body text written. With
    ``only``, write just those documents of it (in time order): ``range(0, n)`` and then
    ``range(n, documents)`` make an archive and its latest additions."""
    archive = Archive(documents, seed)
    (out / "jfjb").mkdir(parents=True, exist_ok=True)
    (out / "jfjb" / "corpus.toml").write_text('publication = "解放军报"\n', encoding="utf-8")
    chars = 0
    for n, year, month, day, title, paragraphs in archive.records():
        if only is not None and n not in only:
            continue
        chars += sum(map(len, paragraphs))
        if n % 3 != 2:
            date = f"{year}{month:02d}{day:02d}"
            text = (f"〖ZQ/总期〗{n + 1}〖-ZQ/总期〗\n〖RQ/日期〗{date}〖-RQ/日期〗\n"
                    f"〖BH/版号〗01〖-BH/版号〗\n〖TH/条号〗{n % 9 + 1}〖-TH/条号〗\n"
                    f"〖BT/标题〗{title}〖-BT/标题〗\n〖GJ/关键〗{title[:4]}/学习〖-GJ/关键〗\n"
                    "〖ZW/正文〗\n" + "".join(f"    {p}\n" for p in paragraphs) + "〖-ZW/正文〗\n")
            path = out / "jfjb" / str(year) / date[:6] / date / f"{date}01{n:06d}.TXT"
            path.parent.mkdir(parents=True, exist_ok=True)
            if n % 2:
                path.write_bytes(text.replace("\n", "\r\n").encode("gb18030"))
            else:
                path.write_text(text, encoding="utf-8")
            if n % 50 == 0:  # reprinted the same day in the other collection
                _write_bha(out, f"r{n:09x}", title, year, month, day, paragraphs, "学习资料汇编")
        else:
            _write_bha(out, f"{n:010x}", title, year, month, day, paragraphs, "学习资料汇编",
                       archive.random.choice(archive.persons))
    return chars


def _write_bha(out: Path, ident: str, title: str, year: int, month: int, day: int,
               paragraphs: list[str], book: str, author: str = "") -> None:
    text = (f"id: {ident}\n标题：{title}\n日期：{year}-{month}-{day}\n是否是时间段：false\n"
            f"作者：{author}\n来源：\n标签：学习,文章\n书籍：{book}\n书籍作者：\n\n正文：\n"
            + "\n\n".join(paragraphs) + "\n")
    path = out / "bha" / ident[-3:] / f"{ident}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    chars = write_archive(args.out, args.documents, args.seed)
    print(f"{args.documents} documents, {chars / 1e6:.1f} M chars of body text → {args.out}")


if __name__ == "__main__":
    main()
