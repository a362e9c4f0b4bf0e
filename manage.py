#!/usr/bin/env python3
from himaccess.cli import main

if __name__ == "__main__":
    main()
