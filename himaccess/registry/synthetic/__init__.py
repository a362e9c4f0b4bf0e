"""A synthetic Himachal population for demos, tests and state-scale benchmarks.

``population`` draws families and members block by block from random streams
keyed on (seed, block), so the data depends only on the seed, the number of
families and the reference date, never on batch size or worker count.
``seeding`` writes them: ``executemany`` in batches on SQLite, ``COPY`` fed by
worker processes on PostgreSQL. Names come from the curated paired lists in
``registry/data/names`` (``names``).
"""
