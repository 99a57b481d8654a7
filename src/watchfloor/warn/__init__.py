"""warn: the duty-to-warn policy, cases, notices and the audit log."""
