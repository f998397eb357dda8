"""stock api: registered by create_app."""


def register(appbuilder):
    """Add this domain's api to the app (filled in by the stock issue)."""
