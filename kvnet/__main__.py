from __future__ import annotations

from kvnet.cli import main

if __name__ == "__main__":
    main()
