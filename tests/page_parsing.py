"""Pages read as a browser's parser reads them: a tree of elements, every tag closed where it was opened."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        return "".join(item for item in self._everything() if isinstance(item, str))

    @property
    def own_text(self) -> str:
        """The text directly in this element, not in the elements inside it (an SVG <title>, say)."""
        return "".join(c for c in self.children if isinstance(c, str))

    def walk(self) -> Iterator[Element]:
        """Every element under this one, in document order."""
        return (item for item in self._everything() if isinstance(item, Element))

    def _everything(self) -> Iterator[Element | str]:
        todo: list[Element | str] = list(reversed(self.children))
        while todo:  # no recursion: a page may nest deeper than Python's stack
            item = todo.pop()
            yield item
            if isinstance(item, Element):
                todo.extend(reversed(item.children))

    def find_all(self, test: Callable[[Element], bool]) -> list[Element]:
        return [e for e in self.walk() if test(e)]

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        assert tag not in VOID, f"</{tag}> closes a void element"
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        assert self.current.parent is not None
        self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse_page(html: str) -> Element:
    """The page's tree; fails unless every element is closed, in order, and the page is one <html>."""
    assert html.startswith("<!DOCTYPE html>")
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.current is builder.root, f"<{builder.current.tag}> is never closed"
    assert [e.tag for e in builder.root.children if isinstance(e, Element)] == ["html"]
    return builder.root


def cards(page: Element) -> dict[str, Element]:
    """Every power-map card by the person's name (a name twice fails)."""
    found: dict[str, Element] = {}
    for card in page.find_all(lambda e: "card" in e.classes):
        (name,) = card.find_all(lambda e: "name" in e.classes)
        assert name.text not in found, f"{name.text} has two cards"
        found[name.text] = card
    return found


def manager_of(card: Element) -> str | None:
    """The name on the card the org chart draws this card under, or None for a root."""
    own = card.parent
    for node in card.ancestors():
        if node is own or node.tag != "li":
            continue
        heads = [c for c in node.children if isinstance(c, Element) and "card" in c.classes]
        if heads:
            (name,) = heads[0].find_all(lambda e: "name" in e.classes)
            return name.text
    return None
