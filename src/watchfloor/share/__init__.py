"""share stage."""
