"""Chinese word segmentation of call transcripts: jieba with the shipped dictionary of collection terms.

One jieba ``Tokenizer`` per process, built on first use under a lock (thread-safe), with the user dictionary
``data/collection-terms.txt`` so terms such as 征信记录, 失信被执行人 or 律师函 stay one word. jieba's debug log
is silenced (no stderr noise) and its prefix-dictionary cache goes to a private temporary directory made for
this process: a cache another process left in a shared ``/tmp`` is never loaded (jieba's cache is marshalled
code objects, as unsafe to load from an untrusted place as a pickle). Segmentation is deterministic: the same
dictionary and text give the same words.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import warnings
from importlib import resources
from typing import Any

USER_DICTIONARY = "collection-terms.txt"

_lock = threading.Lock()
_tokenizer: Any = None
_cache_dir: tempfile.TemporaryDirectory[str] | None = None


def _build() -> Any:
    """A jieba tokenizer with the user dictionary loaded, its cache in a fresh private directory."""
    global _cache_dir  # noqa: PLW0603 -- the directory lives as long as the process's tokenizer
    with warnings.catch_warnings():
        # jieba 0.42 imports pkg_resources, which newer setuptools flag as deprecated on import.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        import jieba
    logging.getLogger("jieba").setLevel(logging.WARNING)
    _cache_dir = tempfile.TemporaryDirectory(prefix="riskloop-jieba-")
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = _cache_dir.name
    tokenizer.initialize()
    terms = resources.files("riskloop.collection").joinpath("data", USER_DICTIONARY)
    with terms.open("rb") as handle:
        tokenizer.load_userdict(handle)
    return tokenizer


def tokenizer() -> Any:
    """The process's jieba tokenizer, built on first use (thread-safe)."""
    global _tokenizer  # noqa: PLW0603 -- one lazily built tokenizer per process
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = _build()
    return _tokenizer


def words(text: str) -> list[str]:
    """The words of ``text``, punctuation and whitespace dropped.

    Examples
    --------
    >>> words("您的征信记录会受到影响。")
    ['您', '的', '征信记录', '会', '受到', '影响']

    """
    return [w for w in tokenizer().lcut(text, HMM=True) if w.strip() and not _is_punctuation(w)]


def _is_punctuation(word: str) -> bool:
    """Whether ``word`` is only punctuation or symbols (Chinese or ASCII)."""
    return all(not ch.isalnum() for ch in word)
