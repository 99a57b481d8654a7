"""share: STIX 2.1 out and in, a TAXII 2.1 server, push (docs/share.md).

- service: what `export stix` selects; export: threads as STIX objects; bundle: the access
  decision per object and the bundle; audience: the reader and pseudonyms; ids: pycti-style
  deterministic ids; stixmarkings: TLP 2.0 and statement markings.
- payload: reading and checking a bundle; importer: importing it whole; collection: the stored
  shared objects; taxii/: the TAXII server, its token table and the TAXII import; push: the
  "threads changed" listener.
"""
