"""Point-in-time features per data dimension; engines in backends/."""
