"""dedupe: find syndicated copies of news stories (MinHash + LSH in Redis, behind a Flask API).

Importing the package loads nothing else: the app is built by `dedupe.web.create_app()`, the command line
is `python -m dedupe`. README.md's "Architecture" section maps the modules.
"""

__version__ = "1.2.0"
