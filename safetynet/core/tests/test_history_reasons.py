import pytest
from django.core.exceptions import ValidationError

from safetynet.core.models import ChangeRecord
from safetynet.core.services import change_record

pytestmark = pytest.mark.django_db


def test_a_reason_longer_than_history_keeps_is_refused_not_cut(county_user, lanshan_village):
    with pytest.raises(ValidationError) as refused:
        change_record(actor=county_user, subject=lanshan_village, entity=lanshan_village,
                      action=ChangeRecord.Action.UPDATE, before={"name": "a"}, after={"name": "b"},
                      reason="因" * 201)
    assert "200" in str(refused.value)
    assert not ChangeRecord.objects.exists()


def test_a_reason_of_the_full_length_is_kept_whole(county_user, lanshan_village):
    record = change_record(actor=county_user, subject=lanshan_village, entity=lanshan_village,
                           action=ChangeRecord.Action.UPDATE, before={"name": "a"}, after={"name": "b"},
                           reason="因" * 200)
    record.refresh_from_db()
    assert record.reason == "因" * 200
