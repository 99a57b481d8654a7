"""The recipe for watchfloor's trained threat finder: data, training, export (issue 12)."""
