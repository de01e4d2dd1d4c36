"""The per-ticket TF-IDF fast path: for one text, the same features as the fitted scikit-learn pipeline.

Invariant: `TicketFeatures(union, coef).vector(text)` holds the non-zero columns of `union.transform([text])`
with the same values up to float rounding, and `score(text)` is `coef @` that vector (tests/support/
test_classifier.py checks both against the library on the held-out corpus). It is faster because it skips
the library's per-call validation and sparse matrices, and because it finds the n-grams with C-level work:

- word n-grams: the vectoriser's token regex (or a proven-equivalent faster one) on the lower-cased text,
  then unigrams and joined n-grams in the library's order (the order matters: it decides how ties between
  phrases are listed);
- char_wb n-grams: the library pads each whitespace-separated word with one space and slices n-grams inside
  the padded word, so they are the union of the words' n-grams; each word's are looked up once and
  remembered (see `_CharWb`).

A vectoriser configured outside these assumptions (custom analyser, stop words, accents, …) falls back to
the library's own analyser, which is slower but exact by definition.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from support.settings import get_settings

if TYPE_CHECKING:  # scikit-learn is imported where a model is trained or unpickled, not by every process
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

Counted = tuple[np.ndarray, np.ndarray]  # (columns of a block's vocabulary, a number per column)


def _plain(vocabulary: dict[str, int]) -> dict[str, int]:
    """The vocabulary with Python ints: a fitted one holds numpy integers, which hash and convert to
    arrays several times slower."""
    return {term: int(column) for term, column in vocabulary.items()}


class _Analysed:
    """Any vectoriser: its own analyser, n-gram by n-gram (the reference behaviour)."""

    def __init__(self, vec: TfidfVectorizer) -> None:
        self._analyse = vec.build_analyzer()
        self._vocabulary = _plain(vec.vocabulary_)

    def count(self, lowered: str, text: str) -> Counted:
        vocabulary = self._vocabulary
        return _arrays(Counter(j for g in self._analyse(text) if (j := vocabulary.get(g)) is not None))


# Token patterns with an equivalent that the regex engine runs faster: it skips ahead to the next character a
# match can start with only when the pattern starts with a character class, not with \b. For a \w at p,
# "\b at p" is "no \w before p", which the look-behind checks after consuming it; the alternatives are then
# tried in the same order, so every match, and hence findall's result, is the same.
_FAST_TOKENS = {r"(?u)\b\w[\w:-]*\w\b|\b\w\b": r"\w(?<!\w\w)(?:[\w:-]*\w\b|\b)"}


class _Words:
    """`analyzer="word"` with lower-casing, the default preprocessing and no stop words."""

    def __init__(self, vec: TfidfVectorizer) -> None:
        pattern = _FAST_TOKENS.get(vec.token_pattern, vec.token_pattern)
        self._findall: Callable[[str], list[str]] = re.compile(pattern).findall
        self._get = _plain(vec.vocabulary_).get
        self._min_n, self._max_n = vec.ngram_range

    def count(self, lowered: str, text: str) -> Counted:
        tokens = self._findall(lowered)
        get = self._get
        counts: Counter[int | None] = Counter(map(get, tokens)) if self._min_n == 1 else Counter()
        for n in range(max(2, self._min_n), min(self._max_n, len(tokens)) + 1):
            counts.update(map(get, map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False))))
        counts.pop(None, None)  # n-grams outside the vocabulary
        return _arrays(counts)


CACHED_WORD_CHARS = 40


class _CharWb:
    """`analyzer="char_wb"` with lower-casing and the default preprocessing.

    The library pads each whitespace-separated word with one space and slices the n-grams inside the padded
    word, so a text's n-grams are the union of its words' (a word of 3+ padded characters never hits the
    library's "short word" case while min_n <= 3). Words recur from ticket to ticket, so each word's
    vocabulary columns are looked up once and remembered (a setting bounds how many); a word met for the first
    time costs one dictionary look-up per n-gram. Words longer than `CACHED_WORD_CHARS` (hashes, tokens,
    URLs, pasted blobs) rarely recur and would hold a lot of memory each: they are looked up every time.
    """

    def __init__(self, vec: TfidfVectorizer) -> None:
        self._min_n, self._max_n = vec.ngram_range
        self._get = _plain(vec.vocabulary_).get
        self._cached = functools.lru_cache(maxsize=get_settings().classifier_word_cache)(self._columns_in)

    def _columns_in(self, word: str) -> np.ndarray:
        """The vocabulary columns of the padded word's n-grams, with repeats (read-only: it is shared)."""
        padded, get = f" {word} ", self._get
        end = len(padded) + 1
        found = np.fromiter(
            (
                j
                for n in range(self._min_n, self._max_n + 1)
                for i in range(end - n)
                if (j := get(padded[i : i + n])) is not None
            ),
            dtype=np.int64,
        )
        found.flags.writeable = False
        return found

    def _columns_of(self, word: str) -> np.ndarray:
        return self._cached(word) if len(word) <= CACHED_WORD_CHARS else self._columns_in(word)

    def count(self, lowered: str, text: str) -> Counted:
        # Splitting on any whitespace run is what the library's whitespace folding plus split() amounts to.
        words = lowered.split()
        if not words:
            return _NO_INDEX, _NO_INDEX
        columns = np.concatenate(list(map(self._columns_of, words)))  # a new array: sorting it is safe
        if not columns.size:
            return _NO_INDEX, _NO_INDEX
        columns.sort()
        starts = np.empty(columns.size + 1, dtype=bool)
        starts[0] = starts[-1] = True
        np.not_equal(columns[1:], columns[:-1], out=starts[1:-1])
        bounds = starts.nonzero()[0]
        return columns.take(bounds[:-1]), bounds[1:] - bounds[:-1]


def _arrays(counts: Counter[int | None]) -> Counted:
    n = len(counts)
    return (np.fromiter(counts.keys(), dtype=np.int64, count=n), np.fromiter(counts.values(), dtype=np.int64, count=n))


def _counter_for(vec: TfidfVectorizer) -> _Analysed | _Words | _CharWb:
    default = (
        vec.input == "content"
        and vec.lowercase
        and not vec.strip_accents
        and vec.preprocessor is None
        and vec.tokenizer is None
        and vec.stop_words is None
        and not vec.binary
    )
    if default and vec.analyzer == "word" and vec.ngram_range[0] >= 1:
        return _Words(vec)
    # min_n <= 3: a padded word has at least 3 characters, so the library never emits a whole word shorter
    # than n (its "short word" case), which plain slicing would miss.
    if default and vec.analyzer == "char_wb" and 1 <= vec.ngram_range[0] <= 3:
        return _CharWb(vec)
    return _Analysed(vec)


class TicketFeatures:
    """A fitted `FeatureUnion` of TfidfVectorizers and a linear model's coefficients over it, applied to one
    text at a time.

    Per block, one table row per vocabulary column holds the term's idf and its coefficient for each class, so
    scoring a text gathers one contiguous row per n-gram it contains.
    """

    def __init__(self, union: FeatureUnion, coef: np.ndarray) -> None:
        if union.transformer_weights:
            raise ValueError("the fast path assumes unweighted feature blocks")
        self._blocks: list[tuple[_Analysed | _Words | _CharWb, np.ndarray, int]] = []
        offset = 0
        for _, vec in union.transformer_list:
            if not (vec.sublinear_tf and vec.norm == "l2" and vec.use_idf):
                raise ValueError("the fast path assumes sublinear tf, idf and l2 norm")
            counter = _counter_for(vec)
            width = len(vec.vocabulary_)
            table = np.empty((width, 1 + coef.shape[0]))
            table[:, 0] = np.asarray(vec.idf_, dtype=np.float64)
            table[:, 1:] = coef[:, offset : offset + width].T
            self._blocks.append((counter, table, offset))
            offset += width
        self.n_features = offset
        self._classes = coef.shape[0]

    def score(self, text: str) -> tuple[np.ndarray, list[Counted]]:
        """`coef @ x` for the text's feature vector x (no intercept), and per block (rows, values) of x: rows
        of the word block are its columns, in the order their n-grams first occur (see `columns`)."""
        lowered = text.lower()
        z = np.zeros(self._classes)
        parts: list[Counted] = []
        for counter, table, _ in self._blocks:
            rows, occurrences = counter.count(lowered, text)
            if not rows.size:
                parts.append((_NO_INDEX, _NO_VALUE))
                continue
            entries = table.take(rows, axis=0)
            val = (1.0 + np.log(occurrences)) * entries[:, 0]
            val /= math.sqrt(val.dot(val))
            z += val @ entries[:, 1:]
            parts.append((rows, val))
        return z, parts

    def columns(self, block: int, rows: np.ndarray) -> np.ndarray:
        """The union's column indices of a block's rows."""
        offset = self._blocks[block][2]
        return rows + offset if offset else rows

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The non-zero features as (column indices, values), block by block."""
        _, parts = self.score(text)
        found = [(self.columns(b, rows), val) for b, (rows, val) in enumerate(parts) if rows.size]
        if not found:
            return _NO_INDEX, _NO_VALUE
        return np.concatenate([c for c, _ in found]), np.concatenate([v for _, v in found])


_NO_INDEX = np.empty(0, dtype=np.int64)
_NO_VALUE = np.empty(0, dtype=np.float64)
