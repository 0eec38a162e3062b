"""``make bench``: seed a separate database at a scale, serve it with gunicorn, load it with wrk.

Run ``python -m bench --help``; pages to measure are listed in ``bench.pages``.
"""
