import pytest

from tests.pos.fixtures import make_pos_shop


@pytest.fixture
def shop(app):
    return make_pos_shop(app)
