"""The app for gunicorn (`wsgi:app`) and for the `flask` command (FLASK_APP=wsgi)."""

import sys

from app import create_app
from app.config import SettingsError

try:
    app = create_app()
except SettingsError as err:
    # One line naming the setting instead of a traceback. Exit status 4 is gunicorn's "App failed to load": its
    # master stops rather than starting one failing worker after another.
    sys.stderr.write(f"gridcase cannot start: {err}\n")
    sys.exit(4)
