"""warn: the duty-to-warn policy, cases, notices and the audit trail.

- policy: the per-statement rule; duty: the same rule judged on a thread, with thresholds.
- cases: triage and the case workflow (states, roles, waivers, deadlines).
- drafting: the text of a notice, sanitized; outbox: notices queued with their case change.
- sender: delivery with retries and backoff over mail (SMTP) and webhooks (signed).
- acks: acknowledgement tokens; users: staff and their roles; config: policy and delivery.
"""
