"""Each service with pages has a whole Vietnamese catalogue: every text its code and templates
show (English in the source, found as `pybabel extract` finds it, by the service's babel.cfg)
has its Vietnamese translation, with the same placeholders, and the catalogue holds nothing the
pages no longer say."""

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from xudong.processes import ROOT

# The services with pages, and how many texts each at least shows (so that finding none fails).
PAGES = {"identity": 40, "web": 100}


def package(service: str) -> Path:
    return ROOT / "services" / service / "src" / service


def said(service: str, directory: Path | None = None) -> set[str]:
    """Every text the code and templates under `directory` pass to gettext."""
    with (ROOT / "services" / service / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    found = extract_from_dir(str(directory or package(service)), method_map, options_map)
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


def gaps(texts: set[str], catalogue: Catalog) -> dict[str, set[str]]:
    """What keeps the catalogue from being whole for these texts; all empty when it is."""
    translated = {str(m.id): m for m in catalogue if m.id}
    return {
        "no Vietnamese": texts - set(translated),
        "Vietnamese for no text": set(translated) - texts,
        "empty or fuzzy": {i for i, m in translated.items() if not m.string or m.fuzzy},
    }


def vietnamese(service: str) -> Catalog:
    with (package(service) / "translations" / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale="vi")


@pytest.mark.parametrize("service", PAGES)
def test_every_text_the_pages_show_has_its_vietnamese_and_none_is_left_over(service: str) -> None:
    assert len(said(service)) > PAGES[service]
    assert gaps(said(service), vietnamese(service)) == {
        "no Vietnamese": set(),
        "Vietnamese for no text": set(),
        "empty or fuzzy": set(),
    }


@pytest.mark.parametrize("service", PAGES)
def test_each_translation_keeps_its_placeholders(service: str) -> None:
    catalogue = vietnamese(service)
    assert [(m.id, errors) for m, errors in catalogue.check()] == []
    filled = [m for m in catalogue if m.id and "%(" in str(m.id)]
    assert filled and all(m.python_format for m in filled)


def test_the_control_a_text_added_to_a_page_without_its_vietnamese_is_named(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "new.html").write_text('<p>{{ _("A text nobody translated") }}</p>')
    assert said("web", tmp_path) == {"A text nobody translated"}
    found = gaps(said("web") | said("web", tmp_path), vietnamese("web"))
    assert found["no Vietnamese"] == {"A text nobody translated"}
