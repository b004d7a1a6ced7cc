"""History: what changed in a clan, kept in a SQLite file and read back as DataFrames."""
