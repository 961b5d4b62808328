"""The discovery site: home, search and detail pages (see `views`)."""

from web.discovery.views import init_app

__all__ = ["init_app"]
