"""gunicorn settings for production and the benchmark (gunicorn reads ./gunicorn.conf.py by default).

Threaded workers (``gthread``): a long download (a CSV export of every call, the bulk zip) or a slow
client keeps one thread busy, not a whole worker, so the requests queued behind it are still served.
Override with the environment: ``WEB_CONCURRENCY`` (worker processes; default: one per CPU plus one),
``GUNICORN_THREADS`` (threads per worker), ``GUNICORN_TIMEOUT`` (seconds a request may take),
``GUNICORN_MAX_REQUESTS`` and ``GUNICORN_MAX_REQUESTS_JITTER`` (worker recycling, below).
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Each worker is replaced after about 1,000 requests, so a slow leak in a library or a runaway cache cannot
# grow without bound; the jitter keeps the workers from restarting together (the others keep serving, and
# the restarting one finishes its requests first, within graceful_timeout). 0 turns recycling off.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))
