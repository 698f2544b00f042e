"""Performance benchmarks; each module prints its figures and writes JSON to benchmarks/out/."""
