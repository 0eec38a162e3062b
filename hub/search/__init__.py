"""Site search (``/search/``): one interface, a database backend and an Elasticsearch backend.

``interface.search(query)`` is all a view calls. Apps declare what is searchable in their
``documents.py`` (the ``search_types`` hook, hub/hooks.py; imported from ``HubConfig.ready``); ``signals`` and
``tasks`` keep both indexes in step with saves, publishes and deletes.
"""
