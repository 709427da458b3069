"""One term's postings in one segment, read the way ranking needs them.

Whoosh's W3 codec writes a term's postings as a chain of blocks of up to 128 documents.
Each block starts with a small header (its length, its last document number, the largest
term frequency in it and the shortest field among its documents), followed by the block's
data: document numbers, frequencies and positions, pickled and compressed together. Reading
a header is cheap; reading the data is what costs (decompress, unpickle, undo the deltas).

So ranking can bound what a block may add to any document's score from its header alone
(block-max), and read the data only of the blocks it needs. The term as a whole has such a
bound too, in its term info, without reading any block.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate
from pickle import loads
from typing import Any, NamedTuple

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.util.numeric import byte_to_length

from search_index.codec import (
    IMPACT_SIZE,
    PortalCodec,
    read_impacts,
    read_numbers,
    read_term_impacts,
)

_INT_SIZE = 4


Impacts = tuple[tuple[float, int], ...]  # (term frequency, field length) pairs


class Block(NamedTuple):
    max_id: int  # the last document number in the block (segment-relative)
    impacts: Impacts  # no posting of the block scores more than the best of these
    count: int
    data: tuple[int, int, bool]  # (offset, length, compressed) of the block's data


class TermPostings:
    """A term's postings in one segment: its block headers, and each block's data on demand."""

    def __init__(self, leaf: Any, field: str, text: str) -> None:
        info: W3TermInfo = leaf.term_info(field, text)
        if info.is_inlined():
            raise TypeError(f"Expected {field}:{text} in Whoosh's W3 blocks, found it inlined.")
        terms = leaf._terms  # Whoosh keeps the postings file with its terms reader
        self._file = terms._postfile
        offset, length = info.extent()
        if isinstance(length, tuple):  # Whoosh reads it back as struct.unpack's tuple
            (length,) = length
        if self._file.get(offset, 4) != WHOOSH3_HEADER_MAGIC:
            raise ValueError(f"The postings of {field}:{text} are not in Whoosh's W3 format.")
        self._walked: list[Block] = []
        self._position: int | None = offset + 4  # of the next block header to read
        self._read: dict[int, tuple[list[int], Sequence[float]]] = {}
        codec = leaf.segment().codec()
        self._packed = isinstance(codec, PortalCodec)
        if self._packed:
            codec.check_layout()
        self.doc_frequency = info.doc_frequency()
        impacts = read_term_impacts(self._file, offset, length) if self._packed else None
        # Without impacts (plain W3), the largest frequency and the shortest field bound it.
        self.impacts: Impacts = (
            _lengths(impacts) if impacts else ((info.max_weight(), info.min_length()),)
        )

    def blocks(self) -> Iterator[Block]:
        """Every block's header, first to last; no block data is read. Headers are read
        once per TermPostings (one query), however often the blocks are walked."""
        walked = self._walked
        at = 0
        while True:
            if at < len(walked):
                yield walked[at]
                at += 1
            elif self._position is None:
                return
            else:
                block, self._position = self._header(self._position)
                walked.append(block)

    def _header(self, position: int) -> tuple[Block, int | None]:
        """The block at ``position``, and where the next one starts (None after the last)."""
        postfile = self._file
        postfile.seek(position)
        length = postfile.read_int()
        last = length < 0
        length = abs(length)
        count, max_id, max_weight, compression, min_byte, _max_byte = postfile.read_pickle()
        data_offset = postfile.tell()
        following = position + _INT_SIZE + length
        if self._packed:
            count_byte = postfile.get(data_offset, 1)
            raw = count_byte + postfile.get(data_offset + 1, IMPACT_SIZE * count_byte[0])
            impacts = _lengths(read_impacts(raw)[0])
        else:
            impacts = ((max_weight, byte_to_length(min_byte)),)
        block = Block(
            max_id, impacts, count, (data_offset, following - data_offset, bool(compression))
        )
        return block, None if last else following

    def read(self, block: Block) -> tuple[list[int], Sequence[float]]:
        """A block's document numbers and term frequencies; a block is read once per
        TermPostings (one query), however often it is asked for."""
        offset, length, compressed = block.data
        found = self._read.get(offset)
        if found is None:
            found = self._read[offset] = self._decode(offset, length, compressed, block.count)
        return found

    def _decode(
        self, offset: int, length: int, compressed: bool, count: int
    ) -> tuple[list[int], Sequence[float]]:
        raw = self._file.get(offset, length)
        if self._packed:
            return read_numbers(raw, count, compressed)
        ids, weights = loads(zlib.decompress(raw) if compressed else raw)[:2]
        ids = list(accumulate(ids))  # stored as differences
        if weights is None:
            weights = [1.0] * count
        elif isinstance(weights, float):
            weights = [weights] * count
        return ids, weights


def _lengths(impacts: Iterable[tuple[float, int]]) -> Impacts:
    """Impacts with Whoosh's length bytes turned into the lengths they stand for."""
    return tuple((frequency, _LENGTHS[byte]) for frequency, byte in impacts)


_LENGTHS = [byte_to_length(n) for n in range(256)]
