"""``make bench``: seed a separate database at a scale, serve it with gunicorn, load it with wrk.

Run ``python -m hub.bench --help``; pages to measure are listed in ``hub.bench.pages``.
"""
