from hub.models import Country
from wagtail.models import Page
from django.contrib.contenttypes.models import ContentType
def test_after(transactional_db):
    print("\nPROBE-AFTER", Country.objects.count(), Page.objects.count(), ContentType.objects.count())
    assert Country.objects.count() == 249 and Page.objects.count() == 7
