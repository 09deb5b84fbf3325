"""The counter's form reuses the online schemas without changing them."""
from congdichvu.eservices import schemas
from congdichvu.onestop import intake


def test_the_counters_wording_stays_on_the_counters_form():
    online_before = schemas.DeliverySchema()["delivery"].title
    counter = intake.intake_schema([], ["in_person"])
    assert counter["delivery"]["delivery"].title != online_before
    assert schemas.DeliverySchema()["delivery"].title == online_before
    assert "agency" in schemas.DeliverySchema()  # the counter's form drops it, the online one keeps it
