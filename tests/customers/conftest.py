import pytest

from tests.sales.fixtures import make_shop


@pytest.fixture
def shop(app):
    return make_shop(app)
