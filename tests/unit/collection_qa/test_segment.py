"""jieba segmentation: the collection terms stay whole, deterministic, quiet and built once across threads."""

from __future__ import annotations

import subprocess
import sys

from riskloop.collection.segment import words

SCRIPT = """
import tempfile, threading
from riskloop.collection import segment
seen = []
threads = [threading.Thread(target=lambda: seen.append(segment.tokenizer())) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
assert len({id(s) for s in seen}) == 1, "more than one tokenizer built"
tmp = seen[0].tmp_dir
assert tmp != tempfile.gettempdir() and "riskloop-jieba-" in tmp, tmp
print(" ".join(segment.words("逾期会影响您的征信记录，也可能被列入失信被执行人名单")))
"""


def test_collection_terms_stay_whole():
    ws = words("逾期会影响您的征信记录，我们已发出律师函，也可能被列入失信被执行人名单。")
    for term in ("征信记录", "律师函", "失信被执行人"):
        assert term in ws
    assert "，" not in ws
    assert "。" not in ws


def test_deterministic():
    text = "王先生您好，您的经营贷已逾期23天，欠款本金42,000元，请尽快还款。"
    assert words(text) == words(text)


def test_first_use_is_quiet_thread_safe_and_private():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # jieba's "Building prefix dict ..." log is silenced
    assert "征信记录" in done.stdout.split()
