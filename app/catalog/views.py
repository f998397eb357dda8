"""catalog views: registered by create_app."""


def register(appbuilder):
    """Add this domain's views to the app (filled in by the catalog issue)."""
