from django import template

register = template.Library()


@register.filter
def clock(minutes):
    """Minutes as h:mm, e.g. 70 → "1:10"."""
    minutes = int(minutes or 0)
    return f"{minutes // 60}:{minutes % 60:02d}"


@register.filter
def add_minutes(start, minutes):
    return int(start or 0) + int(minutes or 0)


@register.filter
def duration_from_seconds(seconds):
    """Seconds as m:ss, or h:mm:ss past the hour; negative values keep their sign."""
    seconds = int(seconds or 0)
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes}:{secs:02d}"
