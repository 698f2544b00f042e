"""Model training, evaluation and plain-file artifacts."""
