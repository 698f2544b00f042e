"""Chinese word segmentation shared by the core packages: jieba with a package's own user dictionary.

One jieba ``Tokenizer`` per user dictionary per process, built on first use under a lock (thread-safe). jieba's
debug log is silenced (no stderr noise) and its prefix-dictionary cache goes to a private temporary directory
made for this process: a cache another process left in a shared ``/tmp`` is never loaded (jieba's cache is
marshalled code objects, as unsafe to load from an untrusted place as a pickle). Segmentation is deterministic:
the same dictionaries and text give the same words.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import warnings
from importlib import resources
from typing import Any

_lock = threading.Lock()
_tokenizers: dict[tuple[str, str], Any] = {}
_cache_dirs: list[tempfile.TemporaryDirectory[str]] = []


def _build(package: str, dictionary: str) -> Any:
    """A jieba tokenizer with ``package``'s ``data/<dictionary>`` loaded, its cache in a fresh private directory."""
    with warnings.catch_warnings():
        # jieba 0.42 imports pkg_resources, which newer setuptools flag as deprecated on import.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        import jieba
    logging.getLogger("jieba").setLevel(logging.WARNING)
    cache = tempfile.TemporaryDirectory(prefix="riskloop-jieba-")
    _cache_dirs.append(cache)  # lives as long as the process's tokenizers
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = cache.name
    tokenizer.initialize()
    terms = resources.files(package).joinpath("data", dictionary)
    with terms.open("rb") as handle:
        tokenizer.load_userdict(handle)
    return tokenizer


def tokenizer(package: str, dictionary: str) -> Any:
    """The process's jieba tokenizer with ``package``'s user dictionary, built on first use (thread-safe)."""
    key = (package, dictionary)
    found = _tokenizers.get(key)
    if found is None:
        with _lock:
            found = _tokenizers.get(key)
            if found is None:
                found = _tokenizers[key] = _build(package, dictionary)
    return found


def is_punctuation(word: str) -> bool:
    """Whether ``word`` is only punctuation, symbols or whitespace (Chinese or ASCII)."""
    return all(not ch.isalnum() for ch in word)


def words(package: str, dictionary: str, text: str) -> list[str]:
    """The words of ``text`` under ``package``'s dictionary, punctuation and whitespace dropped."""
    return [w for w in tokenizer(package, dictionary).lcut(text, HMM=True) if w.strip() and not is_punctuation(w)]
