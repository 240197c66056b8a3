"""The N-Triples terms pass 2 writes without rdflib are the terms rdflib means: each is read
back by rdflib's own N-Triples parser (and by Oxigraph's), and the typed literals are the
bytes rdflib's terms were written as before."""

from __future__ import annotations

import pyoxigraph
import pytest
import rdflib
from hypothesis import given
from hypothesis import strategies as st
from rdflib import XSD, Literal, URIRef

from kg.iri import Minter
from kg.model import DateValue
from kg.rdfio import nt_iri, nt_literal, nt_term
from kg.triples import date_literal, decimal_literal, integer, zh

SUBJECT, PREDICATE = "<http://example.org/s>", "<http://example.org/p>"
# Any text, with the characters N-Triples must escape (quotes, backslashes, controls) likely.
TEXT = st.text(st.characters(codec="utf-8") | st.sampled_from('"\\\n\r\t\b\f\x00\x1f\x7f'))
DATATYPES = st.sampled_from(["", str(XSD.integer), str(XSD.date), str(XSD.string),
                             "http://example.org/type#x"])


def read_back(term: str):
    """The object of a one-triple N-Triples document, as rdflib and Oxigraph parse it."""
    line = f"{SUBJECT} {PREDICATE} {term} .\n"
    (_, _, parsed), = rdflib.Graph().parse(data=line, format="nt")
    quad, = pyoxigraph.parse(input=line, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return parsed, quad.object


@given(TEXT, st.sampled_from(["", "zh", "en-GB"]))
def test_a_literal_reads_back_as_itself(text, lang):
    parsed, oxigraph = read_back(nt_literal(text, lang))
    assert parsed == Literal(text, lang=lang or None)
    assert oxigraph == pyoxigraph.Literal(text, language=lang or None)


@given(st.text(max_size=8, alphabet="0123456789-:T"), DATATYPES)
def test_a_typed_literal_reads_back_with_its_datatype(text, datatype):
    parsed, oxigraph = read_back(nt_literal(text, datatype=datatype))
    plain = datatype in ("", str(XSD.string))  # rdflib reads "…"^^xsd:string back as "…"
    assert parsed.datatype == (None if plain else URIRef(datatype))
    assert oxigraph.value == text and oxigraph.datatype.value == (datatype or str(XSD.string))


@given(TEXT, st.sampled_from([None, XSD.string, XSD.integer]), st.sampled_from([None, "zh"]))
def test_rdflib_terms_read_back_as_themselves(text, datatype, lang):
    term = Literal(text, lang=lang) if lang else Literal(text, datatype=datatype)
    parsed, _ = read_back(nt_term(term))
    assert parsed == term or (datatype == XSD.string and parsed == Literal(text))
    assert not nt_term(term).endswith(f"<{XSD.string}>")  # a plain string, as Turtle has it


def test_escapes_are_the_usual_ones():
    assert nt_literal('"a"\\\n\r\t\x01', "zh") == '"\\"a\\"\\\\\\n\\r\\t\\u0001"@zh'
    assert zh("《决定》") == '"《决定》"@zh'


@given(st.integers(-1, 3000), st.one_of(st.none(), st.integers(0, 13)),
       st.one_of(st.none(), st.integers(0, 32)))
def test_dates_are_written_as_rdflib_writes_them(year, month, day):
    date = DateValue(year, month, None if month is None else day)
    term = Literal(date.iso(), datatype={"day": XSD.date, "month": XSD.gYearMonth,
                                         "year": XSD.gYear}[date.precision])
    assert date_literal(date) == term.n3() == nt_term(term)
    assert read_back(date_literal(date))[0] == term


@given(st.floats(-2, 2).filter(lambda v: str(v) != "-0.0")
       | st.sampled_from([0.0, -0.0004, 0.0005, 1.0, 0.9504, 12345.6789]))
def test_decimals_are_written_as_rdflib_writes_them(value):
    term = Literal(f"{value:.3f}".rstrip("0").rstrip("."), datatype=XSD.decimal)
    assert decimal_literal(value) == term.n3() == nt_term(term)


def test_minus_zero_is_zero():
    assert decimal_literal(-0.0) == decimal_literal(0.0) == '"0"^^<%s>' % XSD.decimal


@given(st.integers())
def test_integers_are_written_as_rdflib_writes_them(value):
    assert integer(value) == Literal(value, datatype=XSD.integer).n3()


def test_decimals_are_finite():
    for value in (float("nan"), float("inf")):
        with pytest.raises(ValueError):
            decimal_literal(value)


@given(st.text(min_size=1, max_size=20), st.text(max_size=20))
def test_minted_iris_in_n_triples_are_the_iris(kind_name, name):
    minter = Minter()
    kind = "person" if kind_name.isascii() else "concept"
    entity, document = minter.entity_nt(kind, name), minter.document_nt(kind_name, name)
    assert entity == nt_term(minter.entity(kind, name)) == f"<{minter.entity(kind, name)}>"
    assert document == nt_term(minter.document(kind_name, name))
    assert minter.citation_nt(document, entity, 3) == nt_term(
        minter.citation(minter.document(kind_name, name), minter.entity(kind, name), 3))
    assert minter.source_nt(name, 2) == nt_term(minter.source(name, 2))
    assert read_back(entity)[0] == minter.entity(kind, name)


@pytest.mark.parametrize("iri", ["http://example.org/a b", "http://example.org/<a>",
                                 'http://example.org/"', "http://example.org/{a}",
                                 "http://example.org/a\\b", "http://example.org/\n"])
def test_what_is_no_iri_is_not_written(iri):
    with pytest.raises(ValueError, match="cannot be written"):
        nt_iri(iri)
    with pytest.raises(ValueError, match="cannot be written"):
        nt_term(URIRef(iri))
    with pytest.raises(ValueError, match="cannot be written"):
        Minter(iri.replace("example.org/", "example.org/x/") + "/").entity_nt("person", "x")
    with pytest.raises(SyntaxError):  # Oxigraph agrees it is no IRI
        list(pyoxigraph.parse(input=f"<{iri}> {PREDICATE} {SUBJECT} .\n",
                              format=pyoxigraph.RdfFormat.N_TRIPLES))
