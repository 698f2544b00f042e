"""Enterprise knowledge graph: build, relationship queries, gang detection, risk propagation, graph features."""
