"""Parsing XML that arrives from outside (UIDAI answers, residents' files) without trusting it."""

from __future__ import annotations

from lxml import etree

# No entities, no network, no DTD, no huge trees: a hostile document cannot read files,
# reach the network or expand into gigabytes (billion laughs).
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    dtd_validation=False,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


class UnreadableXml(ValueError):
    pass


def parse(data: bytes) -> etree._Element:
    if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data:
        raise UnreadableXml("document type declarations are not accepted")
    try:
        return etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnreadableXml("not well-formed") from exc


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname
