"""Plain file formats shared by the generator, ingestion and the warehouse."""
