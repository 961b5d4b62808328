"""Tests of the task queue: in-process dispatch, beat schedules, and a real Redis broker."""
