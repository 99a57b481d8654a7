"""watchfloor: find threats against people in reporting, link them to a watchlist, grade them,
warn the people at risk, and publish marked products."""

__version__ = "0.1.0"
