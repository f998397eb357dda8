"""Local days: a store's zone from its name, and a run of its local days as UTC moments."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Africa/Douala"


def zone_of(name):
    """The zone called `name`; the default one for no name or an unknown one (typed on the store screen)."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (KeyError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def local_day_bounds(first, last, zone):
    """[first 00:00, the day after last 00:00) in `zone`, as UTC moments."""
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)
