"""assess: threads of statements about one (actor, target) pair, graded as reporting accumulates.

- records: what goes in (StatementEvidence, Signal) and what comes out (ThreadAssessment).
"""
