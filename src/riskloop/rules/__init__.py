"""Strategies as versioned decision graphs (GoRules JDM), run through the RuleEngine port."""
