"""Open GPT Inspector: `python main.py [MODEL]` or `python main.py --screenshot out.png [MODEL]`."""

import sys

from inspector.app.main import main

if __name__ == "__main__":
    sys.exit(main())
