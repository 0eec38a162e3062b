"""Every extension point of Bridges: Wagtail hooks named after what a lower layer asks of the apps above it.

The apps are layered ``hub ← profiles ← calls ← projects``: an app imports only from the apps to its left
(``tests/hub/test_layering.py`` holds it). When a lower layer needs something only a higher app knows, it calls
``wagtail.hooks.get_hooks(name)`` and the higher app answers with ``@hooks.register(name, order=…)`` (or
``hooks.register(name, fn, order=…)``) in its ``wagtail_hooks.py``, which Wagtail imports on the first
``get_hooks``. Functions run in ascending ``order`` (registration order among equals; 0 when not given).
There is no other registry.

===================  ==================================================================  ====================================  =========================================================
Hook                 Called by                                                           Signature of a registered function    Order
===================  ==================================================================  ====================================  =========================================================
home_stats           hub.registry.home_stats (HomePage)                                  fn() -> Stat | None                   display order of the live numbers
home_latest          hub.registry.home_latest (HomePage)                                 fn(limit) -> LatestSection | None     display order of the "latest" sections
city_page_sections   hub.registry.city_sections (profiles.selectors.city_page_context)   fn(city_page) -> CitySection | None   display order of a city page's sections
dashboard_sections   hub.registry.dashboard_sections (profiles.views, /dashboard/)       fn(user) -> DashboardSection | None   display order of the panels; None hides one
personal_data        hub.registry.personal_data_parts (profiles.selectors, data export)  fn(user) -> dict[str, Any]            none: parts merged, sorted by key
activity_places      hub.activity.overview (home page)                                   fn() -> Iterable[Place]               none: places sorted by activity
activity_measures    hub.activity.overview (home page)                                   fn() -> Measure                       order of the measures in lines and bars
exports              hub.exports.exports / get_export (list CSV, hub.bulk zip + README)  fn() -> Iterable[Export]              none: Export.order, then key
not_exported_models  hub.bulk.note_change                                                fn() -> Iterable[str] (model labels)  none
search_types         hub.search.registry.types / get / types_for (indexing, /search/)    fn() -> Iterable[SearchType]          none: SearchType.order, then kind
alert_sources        calls.alerts.alert_sources / alert_source                           fn() -> AlertSource                   order of the sources on the alerts pages
award_handlers       calls.services.reviews.call_decide                                  fn(*, proposal, by) -> Any            order the handlers run in, inside the award's transaction
review_conflicts     calls.conflicts.conflicts_for (suggested reviewers, auto-assign)    fn(*, reviewer_ids, team_user_ids)    none: the first reason per pair is kept
                                                                                         -> Iterable[(reviewer_id,
                                                                                         team_user_id, what: str)]
dashboard_tasks      hub.registry.dashboard_tasks (calls.panel_dashboard task list)      fn(user) -> DashboardTask | None      order of the lines of the dashboard's task list
anonymise_proposal   calls.services.retention.anonymise (data retention)                fn(*, proposal) -> Any                none: each removes its app's personal data of the proposal
===================  ==================================================================  ====================================  =========================================================

A failing award handler undoes the award (it runs in its transaction). ``search_types`` is answered through
``hub.search.registry.register`` in each app's ``documents.py`` (imported from ``HubConfig.ready``: it also connects
signals).

Who answers (in their ``wagtail_hooks.py``):

- profiles: ``home_stats``, ``home_latest``, ``activity_places``, ``city_page_sections``, ``dashboard_sections``,
  ``personal_data``, ``exports`` (functions in ``profiles/contributions.py``, ``profiles/notify.py``,
  ``profiles/personal_data.py``, ``profiles/exports.py``).
- calls: ``home_stats``, ``home_latest``, ``activity_measures``, ``city_page_sections``, ``dashboard_sections``,
  ``personal_data``, ``exports``, ``not_exported_models``, ``alert_sources``, ``dashboard_tasks``, ``anonymise_proposal`` (``calls/contributions.py``,
  ``calls/matching/contributions.py``, ``calls/dashboard.py``, ``calls/personal_data.py``, ``calls/exports.py``,
  ``calls/alerts.py``, ``calls/panel_dashboard.py``, ``calls/services/retention.py``); ``search_types`` from
  ``calls/documents.py``.
- projects: ``award_handlers`` (a Partnership for each awarded proposal), ``review_conflicts`` (reviewers who share a
  partnership with a team member, ``projects/conflicts.py``), ``home_stats``, ``home_latest``,
  ``activity_measures``, ``city_page_sections``, ``dashboard_sections``, ``personal_data``, ``exports``,
  ``alert_sources``, ``dashboard_tasks`` (``projects/contributions*.py``, ``projects/exports.py``, ``projects/alerts.py``);
  ``search_types`` from ``projects/documents.py``.

The answers' types (``Stat``, ``LatestSection``, ``CitySection``, ``DashboardSection``) are in ``hub/registry.py``,
``Place`` and ``Measure`` in ``hub/activity.py``, ``Export`` in ``hub/exports.py``, ``SearchType`` in
``hub/search/registry.py`` and ``AlertSource`` in ``calls/alerts.py``. Signal receivers (cache invalidation, search
indexing, the bulk download's staleness) stay Django signals connected in each ``AppConfig.ready``.
"""

HOOKS = (
    "home_stats",
    "home_latest",
    "city_page_sections",
    "dashboard_sections",
    "personal_data",
    "activity_places",
    "activity_measures",
    "exports",
    "not_exported_models",
    "search_types",
    "alert_sources",
    "award_handlers",
    "review_conflicts",
    "dashboard_tasks",
    "anonymise_proposal",
)
