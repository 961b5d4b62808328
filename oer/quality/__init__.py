"""Quality information: a versioned framework, annotations by role, moderation."""
