"""Unstructured text to risk tags: documents, segmentation, lexicon rules and a learned tagger (ADR 0029)."""
