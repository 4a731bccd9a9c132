"""The shape of the administrative map."""

import pytest

from venues.domain import Rejected
from venues.domain.areas import new_area


def test_a_province_stands_at_the_top_and_holds_cities_that_hold_wards() -> None:
    province = new_area("province", "Tỉnh Hải Dương", "Hải Dương Province", None)
    city = new_area("city", "Thành phố Hải Dương", "Hải Dương City", province)
    ward = new_area("ward", " Phường Trần Phú ", "Trần Phú Ward", city)
    assert (city.parent_id, ward.parent_id, ward.name_vi) == (province.id, city.id, "Phường Trần Phú")


@pytest.mark.parametrize(
    ("level", "parent_level", "field"),
    [
        ("ward", None, "parent_id"),
        ("ward", "province", "parent_id"),
        ("province", "city", "parent_id"),
        ("district", "district", "parent_id"),
        ("village", None, "level"),
    ],
)
def test_an_area_out_of_place_is_refused(level: str, parent_level: str | None, field: str) -> None:
    parent = None
    if parent_level:
        top = new_area("province", "P", "P", None)
        parent = top if parent_level == "province" else new_area(parent_level, "C", "C", top)
    with pytest.raises(Rejected) as refused:
        new_area(level, "X", "X", parent)
    assert refused.value.field == field


def test_an_area_needs_both_names() -> None:
    with pytest.raises(Rejected):
        new_area("province", "Tỉnh", "  ", None)
