"""A TAXII 2.1 server for the shared collections (server.py), as a self-contained ASGI app
that authenticates bearer tokens through a callable it is given (tokens.py has a small table
for running it on its own)."""
