"""What the seller's page costs on a slow link, as bytes received by the browser: the first load
of the POS page (HTML, CSS, scripts, icon), one search answer, one cart update. Printed (run with
-s), and held under ceilings so a heavy change shows up. Figures before/after: bench/README.md."""
import pytest
from playwright.sync_api import expect

from tests.browser.test_pos_seller import scan
from tests.conftest import DEMO
from tests.pos.fixtures import make_pos_shop

pytestmark = pytest.mark.browser

FIRST_LOAD_CEILING = 70_000  # bytes on the wire, cold cache
SEARCH_CEILING = 3_000
CART_CEILING = 8_000


def _received(responses):
    """Bytes on the wire: the body as sent (compressed if it was) plus the headers."""
    total = 0
    for response in responses:
        sizes = response.request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    return total


@pytest.fixture
def shop(app):
    return make_pos_shop(app)


def test_weights_of_the_first_load_a_search_and_a_cart_update(page, login, shop):
    login(*DEMO["SALES"])
    seen = []
    page.on("requestfinished", lambda request: seen.append(request))

    # the seller lands on the POS at login: that load filled the cache; empty it for a cold load
    page.context.new_cdp_session(page).send("Network.clearBrowserCache")
    page.goto(f"/pos/{shop.dla}/")
    page.wait_for_load_state("networkidle")
    first = _received(r.response() for r in seen if r.response())
    names = sorted({r.url.rsplit("/", 1)[-1] for r in seen})
    seen.clear()
    page.goto(f"/pos/{shop.dla}/")  # the next page load: the files revalidate (304), only the page comes
    page.wait_for_load_state("networkidle")
    warm = _received(r.response() for r in seen if r.response())

    seen.clear()
    page.get_by_test_id("search").type("archer ax5", delay=10)
    expect(page.get_by_test_id("result")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    searches = [r for r in seen if "/search" in r.url]
    search = _received(r.response() for r in searches[-1:])

    seen.clear()
    page.get_by_test_id("result").first.click()
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    scan(page, shop.switch_ean)
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    cart = _received(r.response() for r in seen[-1:])

    print(f"\nPOS weights: first load {first} B ({', '.join(names)}); next load {warm} B; one search answer {search} B; "
          f"one cart update {cart} B")
    assert first < FIRST_LOAD_CEILING
    assert warm < first / 3
    assert search < SEARCH_CEILING
    assert cart < CART_CEILING
