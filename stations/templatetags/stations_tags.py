from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def percent(rate: float | None) -> str:
    """A fraction as a percentage with one decimal (0.3559 → 35.6%); — when there is none."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}%"


@register.filter
def signed_percent(rate: float | None) -> str:
    """A change as a signed percentage with one decimal (0.4283 → +42.8%, -0.05 → −5.0%)."""
    if rate is None:
        return "—"
    return f"{rate * 100:+.1f}%".replace("-", "−")


# Clause references are the plan's own (二(四)3): they stay as written. This one is not a
# clause but the platform's own default, and reads in the user's language.
PLATFORM_DEFAULT_CLAUSE = "平台默认"


@register.filter
def clause(reference: str | None) -> str:
    """A rule's clause reference as shown: the plan's code, or "platform default" translated."""
    if reference == PLATFORM_DEFAULT_CLAUSE:
        return gettext("平台默认")
    return reference or "—"


@register.filter
def policy_note(note: str | None) -> str:
    """A policy value's note; the platform's own note on its defaults in the user's language."""
    from stations.services.policy import DEFAULT_NOTE

    if note == DEFAULT_NOTE:
        return gettext("默认值（DESIGN.md §5，柳州市三年行动计划）")
    return note or ""


@register.filter(name="phone_mask")
def phone_mask_filter(value: str | None) -> str:
    """A phone as lists show it: ``138****8000`` (stations.validation.phone_mask)."""
    from stations.validation import phone_mask

    return phone_mask(value or "")
