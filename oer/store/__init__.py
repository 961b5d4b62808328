"""The store: the declarative base, engines, sessions, bulk writes, migrations and the model registry.

Each domain owns its tables (`oer.<domain>.models`) and is their only writer
(`oer.<domain>.service`); `registry` lists the model modules for Alembic.
"""
