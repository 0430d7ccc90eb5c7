"""Entry point: no arguments opens the desktop application; a command runs headless."""

from __future__ import annotations

import sys


def main() -> int:
    if len(sys.argv) <= 1:
        from shielddesk.config import Config
        from shielddesk.ui.launch import run_gui

        return run_gui(Config.load())
    from shielddesk.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
