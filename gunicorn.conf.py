"""gunicorn settings for production and the benchmark (gunicorn reads ./gunicorn.conf.py by default).

Threaded workers (``gthread``): a long download (a CSV export of every call, the bulk zip) or a slow
client keeps one thread busy, not a whole worker, so the requests queued behind it are still served.
Override with the environment: ``WEB_CONCURRENCY`` (worker processes; default: one per CPU plus one),
``GUNICORN_THREADS`` (threads per worker), ``GUNICORN_TIMEOUT`` (seconds a request may take).
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycling workers every N requests (against a slow leak in a library) is off: each restart stalls the
# requests queued on that worker for a second. Set GUNICORN_MAX_REQUESTS (e.g. 100000) to turn it on.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
