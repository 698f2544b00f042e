"""Structural check of a LightGBM text model before LightGBM's C library parses it.

A malformed model is a C++ ``terminate`` inside ``LGBM_BoosterLoadModelFromString`` (a truncated tree, a
leaf count its arrays do not have, a split on a feature the header does not declare): the process aborts and
no Python handler runs. So every model text is read here first, against the layout LightGBM writes
(``GBDT::SaveModelToString``): the header, ``tree_sizes`` (the byte length of each tree block), each tree's
arrays sized by its ``num_leaves``, and the ``end of trees`` line. Anything else is a ValidationError naming
what is wrong, which callers turn into a referral or a refused start.
"""

from __future__ import annotations

import itertools

from riskloop.errors import ValidationError

END = "end of trees"
_HEADER = ("version", "num_class", "max_feature_idx", "tree_sizes")
_PER_SPLIT = ("split_feature", "threshold", "decision_type", "left_child", "right_child")


def check_model_text(text: str, name: str = "model") -> int:
    """Number of trees of a well-formed LightGBM text model; ValidationError (field ``name``) otherwise."""
    features, blocks = _blocks(text, name)
    for index, block in enumerate(blocks):
        _check_tree(block, index, features, name)
    return len(blocks)


def tree_fields(text: str, name: str = "model") -> list[dict[str, str]]:
    """The ``key=value`` fields of each tree of a model text ``check_model_text`` accepted, in tree order."""
    return [_fields(block) for block in _blocks(text, name)[1]]


def _blocks(text: str, name: str) -> tuple[int, list[str]]:
    """The model's feature count and each tree's block of text (``tree_sizes`` bytes from ``Tree=0``)."""
    head, sep, _ = text.partition("\nTree=")
    if not text.startswith("tree\n") or not sep:
        raise ValidationError(name, "not a LightGBM text model (no 'tree' header or no trees)")
    header = _fields(head)
    missing = [k for k in _HEADER if k not in header]
    if missing:
        raise ValidationError(name, f"header lacks {', '.join(missing)}")
    features = _int(header["max_feature_idx"], name, "max_feature_idx") + 1
    sizes = [_int(s, name, "tree_sizes") for s in header["tree_sizes"].split()]
    start = len(head) + 1  # the tree blocks start at "Tree=0"
    end = text.find("\n" + END, start)
    if end < 0:
        raise ValidationError(name, f"truncated: no '{END}' line")
    if start + sum(sizes) > end + 1 or not sizes:
        raise ValidationError(name, f"truncated: tree_sizes add up to {sum(sizes)} bytes, the trees hold fewer")
    return features, [text[a:b] for a, b in itertools.pairwise(itertools.accumulate(sizes, initial=start))]


def _check_tree(block: str, index: int, features: int, name: str) -> None:
    where = f"tree {index}"
    fields = _fields(block)
    if fields.get("Tree") != str(index):
        raise ValidationError(name, f"{where}: block does not start with Tree={index}")
    leaves = _int(fields.get("num_leaves", ""), name, f"{where} num_leaves")
    if leaves < 1:
        raise ValidationError(name, f"{where}: num_leaves {leaves}")
    _numbers(fields, "leaf_value", leaves, name, where)
    if leaves == 1:
        return
    for key in _PER_SPLIT:
        _numbers(fields, key, leaves - 1, name, where)
    for feature in fields["split_feature"].split():
        if not 0 <= int(feature) < features:
            raise ValidationError(name, f"{where}: split on feature {feature}, the model has {features}")
    for key in ("left_child", "right_child"):
        for child in (int(c) for c in fields[key].split()):
            if not (0 <= child < leaves - 1 or 0 <= ~child < leaves):
                raise ValidationError(name, f"{where}: {key} {child} outside the tree")
    cats = _int(fields.get("num_cat", "0"), name, f"{where} num_cat")
    if cats:
        bounds = _numbers(fields, "cat_boundaries", cats + 1, name, where)
        _numbers(fields, "cat_threshold", int(bounds[-1]), name, where)


def _fields(block: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in block.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def _int(raw: str, name: str, what: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValidationError(name, f"{what}: {raw[:40]!r} is not an integer") from None


def _numbers(fields: dict[str, str], key: str, count: int, name: str, where: str) -> list[float]:
    if key not in fields:
        raise ValidationError(name, f"{where}: no {key}")
    try:
        values = [float(v) for v in fields[key].split()]
    except ValueError:
        raise ValidationError(name, f"{where}: {key} holds a value that is not a number") from None
    if len(values) != count:
        raise ValidationError(name, f"{where}: {key} has {len(values)} values, {count} expected")
    return values
