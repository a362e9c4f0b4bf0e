"""A year of synthetic history on a seeded register: applications, complaints, pensions and payments.

SYNTHETIC DATA for load tests and demos: nothing here happened. The volumes
follow the state's published figures (``YEARLY``), scaled by ``scale``; the
rows are what the product's own actions write for the same events (see
docs/decisions/1240-year-of-history.md for what is imported and what is not).

The procedure (``seed_history``, in ``seeding``), one module a step:

1. ``officials``: post the officials the history needs (``history.*`` logins,
   with no usable password): revenue officers and Lok Mitra operators per
   tehsil, department officers where services and complaint ladders name
   them, helpline agents. A second run reuses them.
2. ``register``: read the living members and their families' places into
   numpy arrays.
3. ``applications``: service applications, each on a day of the window (few
   on Sundays, when the Lok Mitra Kendras that file them are shut), for a
   member drawn uniformly from the register, so districts get their share of
   the population. Each gets its consent row, its steps (submission, the stage
   officers' moves, a return and resubmission, the overdue flag when the time
   limit passed) and its status as of the end of the window.
4. ``complaints``: CM Seva Sankalp complaints, routed by the category's ladder
   to the officers of the place, with filing, first action, escalation,
   resolution, confirmation or closure for want of an answer.
5. ``pensions``: the members each pension's published rule makes eligible
   (its own compiled query), as many of them as the state's published count
   of pensioners (times ``scale``) enrolled as the department's sanctioned
   beneficiaries, and one ledger payment per month enrolled.
6. One audit entry for the whole import.

Every identifier is drawn in blocks (``IdCounter.reserve`` + ``make_ids``),
every primary key of a table others point to is reserved up front, and rows
go in batch by batch through ``COPY`` on PostgreSQL (``executemany`` on
SQLite), all in one transaction (``writer``). The random streams are keyed on
(seed, purpose, batch): the same seed, window, scale and register give the
same history.
"""

from himaccess.demo.history.errors import HistoryError
from himaccess.demo.history.seeding import YEARLY, HistoryResult, seed_history, window

__all__ = ["YEARLY", "HistoryError", "HistoryResult", "seed_history", "window"]
