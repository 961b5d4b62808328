"""The task queue: tasks are plain functions of ids, run by Celery workers or in-process.

`registry` declares tasks and runs them, `dispatch.enqueue` sends one to the
broker (OER_BROKER_URL) or, without a broker, runs it right here, `app` builds
the Celery application from the settings, and `schedule` turns the sources'
harvest intervals into beat entries. Importing this package does no work.
"""
