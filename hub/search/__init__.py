"""Site search (``/search/``): one interface, a database backend and an Elasticsearch backend.

``interface.search(query)`` is all a view calls. Apps register what is searchable in their
``documents.py`` (found by ``registry.autodiscover`` from ``HubConfig.ready``); ``signals`` and
``tasks`` keep both indexes in step with saves, publishes and deletes.
"""
