"""The buyers' list opens in a spreadsheet without running anything a buyer or an organiser typed."""

import pytest

from web.sales import spreadsheet_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+84 912", "'+84 912"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Vé thường × 2", "Vé thường × 2"),
        (300000, "300000"),
        ("", ""),
    ],
)
def test_text_that_starts_like_a_formula_is_kept_as_text(value: object, cell: str) -> None:
    assert spreadsheet_cell(value) == cell
