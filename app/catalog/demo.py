"""The small demo catalog `flask seed-data` creates (filled in by the catalog issue)."""


def seed_demo_catalog(stores):
    """Create the demo categories, brands and products with stock in `stores` (idempotent)."""
