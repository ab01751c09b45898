"""Output objects kept as text (issue 28: peak memory): ``kvnet build`` renders each object to its
YAML document as soon as it is checked and lets the object go. A 5,000-VM build's objects are
~44 MB of dicts and lists against ~13 MB of text, and they were all alive, beside the plan's
data, when the output was written.

The bytes are :func:`kvnet.emit.to_yaml`'s (SPEC §6, output unchanged): each document is written
alone, as ``to_yaml([obj])`` writes it (``build -o`` writes exactly that into each file); in a
stream, PyYAML's ``...`` after a final literal block with keep chomping stays on the stream's
last document only (:func:`kvnet.emit.pyyaml_document`).
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from kvnet.emit import file_name, object_key, pyyaml_document, write_texts, writer
from kvnet.record import dataclass
from kvnet.yamlwriter import Unsupported


@dataclass(frozen=True, slots=True)
class Rendered:
    """One object as text: its SPEC §6 sort ``key`` (:func:`kvnet.emit.object_key`), its ``file``
    under ``build -o`` (:func:`kvnet.emit.file_name`), its document ``text`` (``---`` first), and
    ``stream_end``: the text ends with the ``...`` only a stream's last document keeps."""

    key: tuple[int, str, str, str]
    file: str
    text: str
    stream_end: bool = False


class Renderer:
    """Renders objects one at a time with one :class:`kvnet.yamlwriter.Writer` (its scalar memo,
    bounded by :data:`kvnet.yamlwriter.MEMO`, shared by the documents of a run)."""

    def __init__(self) -> None:
        self._writer = writer()

    def render(self, obj: dict[str, Any]) -> Rendered:
        """``obj`` as the document ``to_yaml([obj])`` writes."""
        try:
            text = self._writer.document(obj, "---\n")
        except Unsupported:
            text = pyyaml_document(obj, True)
            return Rendered(object_key(obj), file_name(obj), text, text.endswith("\n...\n"))
        return Rendered(object_key(obj), file_name(obj), text)


def render_all(objects: Iterable[dict[str, Any]]) -> list[Rendered]:
    """Every object of ``objects`` rendered, in their order."""
    renderer = Renderer()
    return [renderer.render(obj) for obj in objects]


def stream_texts(documents: list[Rendered]) -> Iterator[str]:
    """The texts of one YAML stream of ``documents``: :func:`kvnet.emit.to_yaml`'s pieces."""
    last = len(documents) - 1
    for i, doc in enumerate(documents):
        yield doc.text[:-4] if doc.stream_end and i != last else doc.text


def stream_text(documents: list[Rendered]) -> str:
    """One YAML stream of ``documents`` (:func:`kvnet.emit.to_yaml` of their objects)."""
    return "".join(stream_texts(documents))


def write_stream(documents: list[Rendered], stream: Any) -> None:
    """:func:`stream_text`'s bytes written to the binary ``stream`` (:func:`kvnet.emit.write_texts`)."""
    write_texts(stream_texts(documents), stream)


def files(documents: list[Rendered]) -> dict[str, str]:
    """File name -> text, one file per object (``build -o``: each file is ``to_yaml([obj])``)."""
    return {doc.file: doc.text for doc in documents}
