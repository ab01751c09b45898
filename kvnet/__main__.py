from __future__ import annotations

from kvnet.entry import main

if __name__ == "__main__":
    main()
