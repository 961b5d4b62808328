"""Data, not code: JSON Schemas, XSDs, vocabulary tables and quality frameworks.

Read these files only through `schemas.resources` so that they are found the
same way from a source checkout and from an installed package.
"""
