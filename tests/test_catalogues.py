"""The Vietnamese catalogue is whole: every text the identity provider's code and templates show
(English in the source, found as `pybabel extract` finds it, by babel.cfg) has its Vietnamese
translation, with the same placeholders, and the catalogue holds nothing the pages no longer say."""

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

SERVICE = Path(__file__).parents[2]
PACKAGE = SERVICE / "src" / "identity"
VIETNAMESE = PACKAGE / "translations" / "vi" / "LC_MESSAGES" / "messages.po"


def said(directory: Path = PACKAGE) -> set[str]:
    """Every text the code and templates under `directory` pass to gettext."""
    with (SERVICE / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    found = extract_from_dir(str(directory), method_map, options_map)
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


def gaps(texts: set[str], catalogue: Catalog) -> dict[str, set[str]]:
    """What keeps the catalogue from being whole for these texts; all empty when it is."""
    translated = {str(m.id): m for m in catalogue if m.id}
    return {
        "no Vietnamese": texts - set(translated),
        "Vietnamese for no text": set(translated) - texts,
        "empty or fuzzy": {i for i, m in translated.items() if not m.string or m.fuzzy},
    }


@pytest.fixture(scope="module")
def catalogue() -> Catalog:
    with VIETNAMESE.open("rb") as po:
        return read_po(po, locale="vi")


def test_every_text_the_pages_show_has_its_vietnamese_and_none_is_left_over(catalogue: Catalog) -> None:
    assert len(said()) > 40  # the provider's pages and refusals, found
    assert gaps(said(), catalogue) == {
        "no Vietnamese": set(),
        "Vietnamese for no text": set(),
        "empty or fuzzy": set(),
    }


def test_each_translation_keeps_its_placeholders(catalogue: Catalog) -> None:
    assert [(m.id, errors) for m, errors in catalogue.check()] == []
    filled = [m for m in catalogue if m.id and "%(" in str(m.id)]
    assert filled and all(m.python_format for m in filled)


def test_the_control_a_text_added_to_a_page_without_its_vietnamese_is_named(
    catalogue: Catalog, tmp_path: Path
) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "new.html").write_text('<p>{{ _("A text nobody translated") }}</p>')
    assert said(tmp_path) == {"A text nobody translated"}
    assert gaps(said() | said(tmp_path), catalogue)["no Vietnamese"] == {"A text nobody translated"}
