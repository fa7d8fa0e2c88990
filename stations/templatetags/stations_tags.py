from django import template

register = template.Library()


@register.filter
def percent(rate: float | None) -> str:
    """A fraction as a percentage with one decimal (0.3559 → 35.6%); — when there is none."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}%"
