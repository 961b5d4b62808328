"""The insight pages' test users: their addresses and the password they share."""

from __future__ import annotations

PASSWORD = "inzicht-in-de-dekking-2026"
OPERATOR = "ina.inzicht@oer.example.org"
TEACHER = "tom.leraar@school.example.org"
