"""How the index stores postings: Whoosh's W3 format, with each block's numbers apart.

W3 writes a block of up to 128 postings as one pickled and compressed tuple of document
numbers, term frequencies and word positions. Ranking needs only the first two, yet must
decompress and unpickle all three; the positions are most of the bytes, and unpickling a
few hundred small objects is most of the time. :class:`PortalCodec` writes the same blocks
with the same headers (so block-max bounds are read the same way), but its data holds the
document numbers (as differences) and frequencies as packed arrays, compressed on their
own, ahead of the pickled positions:

    [impacts][length of the numbers part: 4 bytes][numbers part][positions part]

The numbers part is ``n`` unsigned 32-bit differences, then, unless every frequency is 1,
``n`` 32-bit floats; both little-endian. Reading one is an eighth of the time of a W3
block. Phrases and everything else in Whoosh read positions through
:class:`PortalLeafMatcher`, as they did. A segment records the codec that wrote it, so
indexes written with plain W3 stay readable.

The impacts are what Lucene calls them: the (frequency, field length) pairs of the block
that no other pair beats on both (more occurrences, shorter field), a count byte and then
each pair as a 32-bit float and a length byte. BM25 grows with the one and falls with the
other, so the best score any posting of the block can give is the best of these few
pairs, whatever the average length is when the index is searched; W3's header only has
the largest frequency and the shortest field, which may come from different documents.
The term's impacts over all its blocks follow its last block, then their count (2 bytes)
and ``IMPACTS_MAGIC``, so a term's bound is read without walking its blocks.
"""

from __future__ import annotations

import sys
import zlib
from array import array
from collections.abc import Iterable
from itertools import accumulate
from pickle import dumps, loads
from struct import Struct
from typing import Any

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3LeafMatcher,
    W3PerDocReader,
    W3PostingsWriter,
)
from whoosh.util.numeric import length_to_byte
from whoosh.util.numlists import delta_encode

_LENGTH = Struct("<I")
_PAIR = Struct("<fB")  # an impact: frequency, field length as Whoosh's length byte
IMPACT_SIZE = _PAIR.size
_COUNT = Struct("<H")
IMPACTS_MAGIC = b"PIMP"
_SWAP = sys.byteorder == "big"  # the arrays are stored little-endian

Impacts = tuple[tuple[float, int], ...]  # (frequency, field length), best of each trade-off


def competitive(pairs: Iterable[tuple[float, int]]) -> Impacts:
    """The pairs that no other pair beats on both counts: more occurrences in a field no
    longer. Given (frequency, length byte); the bytes order as the lengths do.

    >>> competitive([(1.0, 9), (2.0, 9), (1.0, 4), (3.0, 20), (1.0, 30)])
    ((1.0, 4), (2.0, 9), (3.0, 20))
    """
    best: list[tuple[float, int]] = []
    for frequency, length in sorted(pairs, key=lambda pair: (pair[1], -pair[0])):
        if not best or frequency > best[-1][0]:
            best.append((frequency, length))
    return tuple(best)


def pack_impacts(impacts: Impacts) -> bytes:
    if len(impacts) > 255:  # at most one per frequency: a block holds 128 postings
        raise ValueError(f"A block has {len(impacts)} impacts; at most 255 fit its count.")
    return bytes([len(impacts)]) + b"".join(_PAIR.pack(*pair) for pair in impacts)


def read_impacts(data: bytes, offset: int = 0) -> tuple[Impacts, int]:
    """The impacts at ``offset`` and where what follows them starts."""
    count = data[offset]
    start = offset + 1
    pairs = tuple(_PAIR.unpack_from(data, start + _PAIR.size * n) for n in range(count))
    return pairs, start + _PAIR.size * count


def read_term_impacts(postfile: Any, offset: int, length: int) -> Impacts | None:
    """A term's impacts from the trailer after its last block; None if it has none."""
    end = offset + length
    tail = postfile.get(end - _COUNT.size - len(IMPACTS_MAGIC), _COUNT.size + len(IMPACTS_MAGIC))
    if tail[_COUNT.size :] != IMPACTS_MAGIC:
        return None
    (count,) = _COUNT.unpack_from(tail)
    size = _PAIR.size * count
    raw = postfile.get(end - _COUNT.size - len(IMPACTS_MAGIC) - size, size)
    return tuple(_PAIR.unpack_from(raw, _PAIR.size * n) for n in range(count))


class LayoutError(ValueError):
    """The index was written in a postings layout this release does not read."""


class PortalCodec(W3Codec):
    """W3, with document numbers and frequencies readable without the positions."""

    # The layout of the blocks, raised with every change. Each segment keeps the codec that
    # wrote it (pickled), so a segment in another layout is refused, not misread.
    LAYOUT = 2

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.layout = self.LAYOUT

    def check_layout(self) -> None:
        found = getattr(self, "layout", 1)
        if found != self.LAYOUT:
            raise LayoutError(
                f"The search index was written in postings layout {found}, and this release "
                f"reads layout {self.LAYOUT}; run `portal build --full`."
            )

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        if byteids:  # term vectors, which the index does not store
            return super().postings_writer(dbfile, byteids)
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def per_document_reader(self, storage: Any, segment: Any) -> Any:
        return _PerDocReader(storage, segment)

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        self.check_layout()
        offset, length = terminfo.extent()
        return PortalLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


def pack_block(deltas: Any, weights: Any, values: Any, compression: int) -> bytes:
    """A block's data: numbers first, positions after."""
    numbers = array("I", deltas)
    frequencies = array("f", weights)
    if _SWAP:
        numbers.byteswap()
        frequencies.byteswap()
    head = numbers.tobytes()
    if any(weight != 1.0 for weight in weights):
        head += frequencies.tobytes()
    tail = dumps(values, 2)
    if compression:
        head, tail = zlib.compress(head, compression), zlib.compress(tail, compression)
    return _LENGTH.pack(len(head)) + head + tail


def read_numbers(data: bytes, count: int, compressed: bool) -> tuple[list[int], Any]:
    """A block's document numbers and frequencies (a sequence of floats)."""
    start = _LENGTH.size + 1 + _PAIR.size * data[0]  # after the impacts
    (length,) = _LENGTH.unpack_from(data, start - _LENGTH.size)
    head = data[start : start + length]
    if compressed:
        head = zlib.decompress(head)
    numbers = array("I")
    numbers.frombytes(head[: 4 * count])
    if _SWAP:
        numbers.byteswap()
    if len(head) > 4 * count:
        weights = array("f")
        weights.frombytes(head[4 * count :])
        if _SWAP:
            weights.byteswap()
    else:
        weights = [1.0] * count
    return list(accumulate(numbers)), weights


def read_positions(data: bytes, compressed: bool) -> Any:
    start = _LENGTH.size + 1 + _PAIR.size * data[0]  # after the impacts
    (length,) = _LENGTH.unpack_from(data, start - _LENGTH.size)
    tail = data[start + length :]
    return loads(zlib.decompress(tail) if compressed else tail)


class _PerDocReader(W3PerDocReader):
    """W3's, but a column a segment lacks is looked for once, not once per posting: writing
    a segment asks for the field length of every posting, fields without lengths included,
    and W3 answered each of those with a ``stat`` of the file system."""

    def _cached_reader(self, fieldname: str, column: Any) -> Any:
        try:
            return self._readers[fieldname]
        except KeyError:
            reader = self._readers[fieldname] = super()._cached_reader(fieldname, column)
            return reader


class _PostingsWriter(W3PostingsWriter):
    def start_postings(self, format_: Any, terminfo: Any) -> None:
        super().start_postings(format_, terminfo)
        self._term_impacts: Impacts = ()

    def _new_block(self) -> None:
        super()._new_block()
        self._lengths: list[int] = []

    def add_posting(
        self, id_: Any, weight: float, vbytes: bytes, length: int | None = None
    ) -> None:
        super().add_posting(id_, weight, vbytes, length)  # may write the block before
        self._lengths.append(length_to_byte(length or 0))

    def finish_postings(self) -> Any:
        """W3's, with the term's impacts after its last block."""
        if not self.written() and len(self) < self._inlinelimit:
            return super().finish_postings()
        terminfo = self._terminfo
        if self._ids:
            self._write_block(last=True)
        impacts = self._term_impacts
        self._postfile.write(
            b"".join(_PAIR.pack(*pair) for pair in impacts)
            + _COUNT.pack(len(impacts))
            + IMPACTS_MAGIC
        )
        terminfo.set_extent(self._startoffset, self._postfile.tell() - self._startoffset)
        self._terminfo = None
        return terminfo

    def _write_block(self, last: bool = False) -> None:
        """W3's block: the same header (count, last number, largest frequency, compression,
        shortest and longest field), then the data packed by :func:`pack_block`."""
        postfile = self._postfile
        if not self._blockcount:
            postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids, compression = self._ids, self._compression
        impacts = competitive(zip(self._weights, self._lengths, strict=True))
        self._term_impacts = competitive((*self._term_impacts, *impacts))
        data = pack_impacts(impacts) + pack_block(
            delta_encode(ids), self._weights, self._mini_values(), compression
        )
        info = dumps(
            (
                len(ids),
                ids[-1],
                self._maxweight,
                compression,
                length_to_byte(self._minlength),
                length_to_byte(self._maxlength),
            ),
            2,
        )
        size = len(info) + len(data)
        postfile.write_int(-size if last else size)  # negative: the last block
        postfile.write(info)
        postfile.write(data)
        self._blockcount += 1
        self._new_block()


class PortalLeafMatcher(W3LeafMatcher):
    """W3's block reader for blocks written by :class:`PortalCodec`."""

    def _read_data(self) -> None:
        datalen = self._nextoffset - self._dataoffset
        self._data = self._postfile.get(self._dataoffset, datalen)

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        ids, weights = read_numbers(self._data, self._blocklength, bool(self._compression))
        self._ids, self._weights = tuple(ids), weights

    def _read_weights(self) -> None:
        self._read_ids()

    def _read_values(self) -> None:
        if self._data is None:
            self._read_data()
        values = read_positions(self._data, bool(self._compression))
        fixedsize = self._fixedsize
        if fixedsize is None or fixedsize < 0:
            self._values = values
        elif fixedsize == 0:
            self._values = (None,) * self._blocklength
        else:
            self._values = tuple(
                values[i : i + fixedsize] for i in range(0, len(values), fixedsize)
            )
