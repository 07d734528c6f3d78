"""Referential readers (seed markdown, ADEME markdown, CSV structure) producing one tree model."""
