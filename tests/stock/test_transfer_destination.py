"""A new transfer's form never proposes the origin as its destination (issue 19 item 10)."""
import re

from tests.conftest import sign_in


def test_a_new_transfer_goes_elsewhere_by_default(client):
    sign_in(client, "MANAGER")
    form = client.get("/stock/transfers/new").get_data(as_text=True)
    origin = re.search(r'id="trf-store".*?<option value="(\d+)"', form, re.S).group(1)  # the first, as a browser shows
    destination = re.search(r'id="trf-destination".*?<option value="(\d+)" selected', form, re.S)
    assert destination and destination.group(1) != origin
