"""Back-office screens of customer credit (filled in below)."""


def register(appbuilder):
    pass
