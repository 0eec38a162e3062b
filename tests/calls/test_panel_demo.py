"""The demo shows the panel: recommendations on the demo reviews, a chair and a meta-review, loaded once."""

from io import StringIO

from django.core.management import call_command

import pytest

from calls.models import MetaReview, PanelChair, ReviewAssignment

pytestmark = pytest.mark.django_db


def test_the_demo_has_recommendations_a_chair_and_a_meta_review_once():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    submitted = ReviewAssignment.objects.filter(status=ReviewAssignment.Status.SUBMITTED)
    assert submitted.exists() and not submitted.filter(recommendation="").exists()
    meta = MetaReview.objects.get()
    assert meta.summary.startswith("Demo meta-review:")
    chair = PanelChair.objects.get()
    assert chair.call_id == meta.proposal.call_id and chair.call.reviewers_see_reviews
