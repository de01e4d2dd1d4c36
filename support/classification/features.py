"""The per-ticket TF-IDF fast path: for one text, the same features as the fitted scikit-learn pipeline.

Invariant: `TicketFeatures(union, coef).vector(text)` holds the non-zero columns of `union.transform([text])`
with the same values up to float rounding, and `score(text)` is `coef @` that vector (tests/support/
test_classifier.py checks both against the library on the held-out corpus). It is faster because it skips
the library's per-call validation and sparse matrices, and because it finds the n-grams with C-level work:

- word n-grams: the vectoriser's token regex (or a proven-equivalent faster one) on the lower-cased text,
  then unigrams and joined n-grams in the library's order (the order matters: it decides how ties between
  phrases are listed);
- char_wb n-grams: the library pads each whitespace-separated word with one space and slices n-grams inside
  the padded word. Joining the words with single spaces and taking every window of the whole string gives
  each of those n-grams exactly once, plus windows with a space *inside* them; no vocabulary term has an
  inner space (checked when the vocabulary is loaded), so those never match and need no filtering. The
  windows are looked up as numbers, all at once, with numpy (see `_CharWb`).

A vectoriser configured outside these assumptions (custom analyser, stop words, accents, …) falls back to
the library's own analyser, which is slower but exact by definition.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

Counted = tuple[np.ndarray, np.ndarray]  # (rows of a block's vocabulary, a number per row)


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


class _CharWb:
    """`analyzer="char_wb"` with lower-casing and the default preprocessing, vectorised with numpy.

    Each character of the vocabulary gets a digit 1..K (K + 1 for any other character, 0 past the end of the
    text), and an n-gram the number its digits spell in base K + 2. A text's n-gram starts with a real
    character, so its number has exactly n digits and the leading one is not 0: equal numbers mean equal
    n-grams, and one holding an unknown character or running past the end never equals a term's (whose
    digits are all 1..K). The numbers of all n-grams at once are one small matrix product, looked up among
    the vocabulary's in one sorted search. They are float64, exact while base**max_n < 2**53.
    """

    def __init__(self, vec: TfidfVectorizer) -> None:
        self._min_n, self._max_n = min_n, max_n = vec.ngram_range
        alphabet = sorted({ch for term in vec.vocabulary_ for ch in term})
        digit = {ch: float(i) for i, ch in enumerate(alphabet, start=1)}
        base = len(alphabet) + 2
        # code point -> digit; every code point above the alphabet's lands on the last entry (unknown)
        self._digits = np.full(ord(alphabet[-1]) + 2, len(alphabet) + 1, dtype=np.float64)
        for ch, d in digit.items():
            self._digits[ord(ch)] = d
        # column j spells the n-gram of length min_n + j from the max_n digits starting at a position
        self._spell = np.zeros((max_n, max_n - min_n + 1))
        for j, n in enumerate(range(min_n, max_n + 1)):
            for k in range(n):
                self._spell[k, j] = float(base ** (n - 1 - k))
        keys: list[tuple[float, int]] = []
        for term, column in vec.vocabulary_.items():
            key = 0
            for ch in term:
                key = key * base + int(digit[ch])
            keys.append((float(key), int(column)))
        keys.sort()
        # Rows are positions in this sorted order; a sentinel above every key lets a search that runs off the
        # end compare unequal without a bounds check.
        self._keys = np.array([k for k, _ in keys] + [np.inf])
        self.columns = np.array([c for _, c in keys], dtype=np.int64)

    @staticmethod
    def fits(vec: TfidfVectorizer) -> bool:
        """The numbers must be exact in float64: about 1,350 distinct characters for 5-grams."""
        alphabet = {ch for term in vec.vocabulary_ for ch in term}
        return bool(alphabet) and (len(alphabet) + 2) ** vec.ngram_range[1] < 2 ** 53

    def count(self, lowered: str, text: str) -> Counted:
        # Splitting on any whitespace run is what the library's whitespace folding plus split() amounts to.
        padded = " " + " ".join(lowered.split()) + " "
        points = np.frombuffer(padded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        size, width = points.size, self._max_n
        digits = np.zeros(size + width - 1)
        self._digits.take(points, mode="clip", out=digits[:size])
        # windows[i] is digits[i:i + width], a strided view: no copy
        windows = np.ndarray((size, width), dtype=np.float64, buffer=digits, strides=(8, 8))
        wanted = (windows @ self._spell).ravel()
        at = np.searchsorted(self._keys, wanted)
        rows = at.compress(self._keys.take(at) == wanted)
        if not rows.size:
            return _NO_INDEX, _NO_INDEX
        rows.sort()
        starts = np.empty(rows.size + 1, dtype=bool)
        starts[0] = starts[-1] = True
        np.not_equal(rows[1:], rows[:-1], out=starts[1:-1])
        bounds = starts.nonzero()[0]
        return rows.take(bounds[:-1]), bounds[1:] - bounds[:-1]


def _arrays(counts: Counter[int | None]) -> Counted:
    n = len(counts)
    return (np.fromiter(counts.keys(), dtype=np.int64, count=n),
            np.fromiter(counts.values(), dtype=np.int64, count=n))


def _counter_for(vec: TfidfVectorizer) -> _Analysed | _Words | _CharWb:
    default = (vec.input == "content" and vec.lowercase and not vec.strip_accents and vec.preprocessor is None
               and vec.tokenizer is None and vec.stop_words is None and not vec.binary)
    if default and vec.analyzer == "word" and vec.ngram_range[0] >= 1:
        return _Words(vec)
    # min_n <= 3: a padded word has at least 3 characters, so the library never emits a whole word shorter
    # than n (its "short word" case), which plain slicing would miss.
    if (default and vec.analyzer == "char_wb" and 2 <= vec.ngram_range[0] <= 3 and _CharWb.fits(vec)
            and all(" " not in term[1:-1] and term.strip(" ") for term in vec.vocabulary_)):
        return _CharWb(vec)
    return _Analysed(vec)


class TicketFeatures:
    """A fitted `FeatureUnion` of TfidfVectorizers and a linear model's coefficients over it, applied to one
    text at a time.

    Per block, one table row per vocabulary row holds the term's idf and its coefficient for each class, so
    scoring a text gathers one contiguous row per n-gram it contains.
    """

    def __init__(self, union: FeatureUnion, coef: np.ndarray) -> None:
        if union.transformer_weights:
            raise ValueError("the fast path assumes unweighted feature blocks")
        self._blocks: list[tuple[_Analysed | _Words | _CharWb, np.ndarray, np.ndarray | None, int]] = []
        offset = 0
        for _, vec in union.transformer_list:
            if not (vec.sublinear_tf and vec.norm == "l2" and vec.use_idf):
                raise ValueError("the fast path assumes sublinear tf, idf and l2 norm")
            counter = _counter_for(vec)
            width = len(vec.vocabulary_)
            columns = counter.columns if isinstance(counter, _CharWb) else None
            local = np.arange(width) if columns is None else columns
            table = np.empty((len(local), 1 + coef.shape[0]))
            table[:, 0] = np.asarray(vec.idf_, dtype=np.float64)[local]
            table[:, 1:] = coef[:, offset + local].T
            self._blocks.append((counter, table, columns, offset))
            offset += width
        self.n_features = offset
        self._classes = coef.shape[0]

    def score(self, text: str) -> tuple[np.ndarray, list[Counted]]:
        """`coef @ x` for the text's feature vector x (no intercept), and per block (rows, values) of x: rows
        of the word block are its columns, in the order their n-grams first occur (see `columns`)."""
        lowered = text.lower()
        z = np.zeros(self._classes)
        parts: list[Counted] = []
        for counter, table, _, _ in self._blocks:
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
        _, _, columns, offset = self._blocks[block]
        local = rows if columns is None else columns[rows]
        return local + offset if offset else local

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The non-zero features as (column indices, values), block by block."""
        _, parts = self.score(text)
        found = [(self.columns(b, rows), val) for b, (rows, val) in enumerate(parts) if rows.size]
        if not found:
            return _NO_INDEX, _NO_VALUE
        return np.concatenate([c for c, _ in found]), np.concatenate([v for _, v in found])


_NO_INDEX = np.empty(0, dtype=np.int64)
_NO_VALUE = np.empty(0, dtype=np.float64)
