"""The trained threat finder's training recipe (issue 12)."""
