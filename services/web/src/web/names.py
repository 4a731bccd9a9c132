"""The names of the services' codes (venue kinds, categories, statuses) in the reader's language;
the forms offer the codes named here, in this order."""

from web.pages import _


def names() -> dict[str, dict[str, str]]:
    return {
        "venue_kind_names": {
            "theatre": _("Theatre"),
            "cinema": _("Cinema"),
            "walking_street": _("Walking street"),
            "night_market": _("Night market"),
            "food_street": _("Food street"),
            "museum": _("Museum"),
            "sports_venue": _("Sports venue"),
            "heritage_site": _("Heritage site"),
            "eco_tourism_site": _("Eco-tourism site"),
            "craft_village": _("Craft village"),
            "creative_space": _("Creative space"),
        },
        "category_names": {
            "cheo": _("Chèo"),
            "cai_luong": _("Cải lương"),
            "theatre": _("Theatre"),
            "film": _("Film"),
            "concert": _("Concert"),
            "exhibition": _("Exhibition"),
            "craft_fair": _("Craft fair"),
            "night_market": _("Night market"),
            "festival": _("Festival"),
            "workshop": _("Workshop"),
            "sport": _("Sport"),
        },
        "order_status_names": {
            "held": _("Held for you: not paid yet"),
            "paid": _("Paid"),
            "expired": _("Expired: not paid in time"),
            "cancelled": _("Cancelled"),
            "refunded": _("Refunded"),
        },
        "ticket_status_names": {"valid": _("Valid"), "void": _("No longer valid")},
    }
