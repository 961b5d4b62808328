"""The WSGI entry point for gunicorn: `gunicorn web.wsgi:app`. I/O: reads the environment.

An entry point, so building the app on import is its job: the settings come from
OER_* in the environment (docker/compose.yaml sets them).
"""

from __future__ import annotations

from web.app import create_app

app = create_app()
