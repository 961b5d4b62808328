"""NL-LOM / IEEE LOM / oai_dc metadata: the normalised record, parsing, serialising. Pure; no I/O.

This package imports nothing of the project and no framework; it reads only its
own vocabulary tables from the `schemas` data package.
"""
