"""The names of the services' codes (venue kinds, categories, statuses) in the reader's language;
the forms offer the codes named here, in this order."""

from flask_babel import get_locale

from web.pages import _

_translated: dict[str, dict[str, dict[str, str]]] = {}


def names() -> dict[str, dict[str, str]]:
    """Every page's names, in its language: worked out once per language (the catalogues do not
    change while the server runs; translating them on each page was a third of its own cost)."""
    language = str(get_locale())
    if language not in _translated:
        _translated[language] = _in_the_page_language()
    return _translated[language]


def _in_the_page_language() -> dict[str, dict[str, str]]:
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
        "schedule_status_names": {
            "held": _("Waiting for review"),
            "approved": _("Approved: fee not paid yet"),
            "confirmed": _("Confirmed"),
            "blackout": _("Closed"),
        },
        "order_status_names": {
            "held": _("Held for you: not paid yet"),
            "paid": _("Paid"),
            "expired": _("Expired: not paid in time"),
            "cancelled": _("Cancelled"),
            "refunded": _("Refunded"),
        },
        "organisation_kind_names": {
            "troupe": _("Troupe"),
            "company": _("Company"),
            "school": _("School"),
            "cooperative": _("Cooperative"),
            "ngo": _("Non-profit organisation"),
            "individual": _("Individual"),
        },
        "booking_status_names": {
            "requested": _("Requested"),
            "held": _("Held: waiting for the venue's decision"),
            "approved": _("Approved"),
            "awaiting_payment": _("Approved: waiting for the fee"),
            "confirmed": _("Confirmed"),
            "rejected": _("Rejected"),
            "conflicted": _("Taken by another request"),
            "expired": _("Expired: the fee was not paid in time"),
            "cancelled": _("Cancelled"),
        },
        "event_status_names": {
            "draft": _("Draft: not on sale yet"),
            "published": _("On sale"),
            "cancelled": _("Cancelled"),
        },
        "area_level_names": {
            "province": _("Province"),
            "district": _("District"),
            "ward": _("Ward or commune"),
        },
        "layout_names": {
            "seated": _("Seated"),
            "general_admission": _("Standing or free seating"),
            "plots": _("Stall plots"),
        },
        "role_names": {
            "buyer": _("Buyer"),
            "organiser": _("Organiser"),
            "venue_manager": _("Venue manager"),
            "staff": _("Staff"),
        },
        "ticket_status_names": {"valid": _("Valid"), "void": _("No longer valid")},
        "sign_in_method_names": {
            "password": _("Password"),
            "code": _("Code by email"),
            "totp": _("Authenticator app code"),
            "totp enrollment": _("Setting up the authenticator app"),
        },
        "sign_in_outcome_names": {
            "success": _("Signed in"),
            "wrong_password": _("Wrong password"),
            "wrong_code": _("Wrong code"),
            "locked": _("Refused: too many tries"),
            "suspended": _("Refused: account suspended"),
            "unverified": _("Refused: email not verified yet"),
        },
    }
