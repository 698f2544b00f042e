"""Prospect screening of the marketing stage: who is healthy and about to grow, and why (issue 18)."""
