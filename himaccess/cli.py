"""The ``himaccess`` command: Django's management commands as ``himaccess <verb>``."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["himaccess", *sys.argv[1:]])


if __name__ == "__main__":
    main()
