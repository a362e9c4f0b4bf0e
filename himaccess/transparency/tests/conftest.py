"""Fixtures of the figures tests: the complaint ladder, the services' officials and the scheme people.

They are the grievances', applications' and schemes' own fixtures (same people, same
reference data), so the figures are checked against state made by the real actions.
"""

from __future__ import annotations

from himaccess.applications.tests.conftest import prem, sapna  # noqa: F401
from himaccess.grievances.tests.conftest import _outbox, ladder  # noqa: F401
from himaccess.schemes.tests.conftest import people  # noqa: F401
