import pytest

from safetynet.registry import selectors

pytestmark = pytest.mark.django_db


def test_county_user_cannot_see_other_county(make_household, lanshan_village, yinan_village, county_user,
                                             other_county_user):
    mine = make_household(lanshan_village, county_user)
    theirs = make_household(yinan_village, other_county_user)

    assert list(selectors.household_list(actor=county_user)) == [mine]
    assert list(selectors.household_list(actor=other_county_user)) == [theirs]
    with pytest.raises(type(theirs).DoesNotExist):
        selectors.household_get(actor=county_user, pk=theirs.pk)
    assert set(selectors.person_list(actor=county_user)) == {mine.head}
