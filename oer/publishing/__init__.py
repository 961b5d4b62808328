"""Publishing: schools and teachers publish their own materials here (draft, versions, withdrawal)."""
