"""``python -m bluezones`` runs the command-line interface."""

from bluezones.cli import main

if __name__ == "__main__":
    main()
