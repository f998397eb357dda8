import pytest

from tests.purchases.fixtures import make_purchase_shop


@pytest.fixture
def shop(app):
    return make_purchase_shop(app)
