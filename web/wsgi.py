"""The WSGI entry point for gunicorn: `gunicorn web.wsgi:app`. I/O: reads the environment.

An entry point, so building the app on import is its job: the settings come from
OER_* in the environment (docker/compose.yaml sets them).
"""

from __future__ import annotations

from oer.commands.serve import settle_for_serving
from oer.errors import ConfigurationError
from oer.settings import Settings
from web.app import create_app

_settings = Settings.from_env()
if not _settings.secret_key:
    # Sessions, CSRF tokens and the feed's resumption tokens are all signed with it.
    raise ConfigurationError("OER_SECRET_KEY is not set and OER_HOME has none: run `oer init`")
app = create_app({"OER_SETTINGS": _settings})
settle_for_serving()
