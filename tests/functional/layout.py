"""Checks of a rendered page's layout mechanisms, shared by the functional
tests (the browser suite checks how they look at 360 px)."""
import re


def plain_title(page):
    """The text of ``page``'s <title>, asserting it holds no markup."""
    raw = re.search(r"<title>(.*?)</title>", page.text, re.DOTALL).group(1)
    assert "<" not in raw and "\n" not in raw, raw
    return raw


def assert_tables_stack(page):
    """Every table of ``page``'s main content is a "stacked" table (see
    static/css/site.css): explicit table roles, and every body cell labelled
    with its column heading, or a row heading (scope="row")."""
    tables = page.html.select("main table")
    assert tables
    for table in tables:
        assert "stacked" in table["class"] and table["role"] == "table"
        assert table.thead["role"] == table.tbody["role"] == "rowgroup"
        headings = [th.get_text(" ", strip=True) for th in table.select("thead th")]
        assert all(th["role"] == "columnheader" and th["scope"] == "col" for th in table.select("thead th"))
        for row in table.select("tr"):
            assert row["role"] == "row"
        for row in table.select("tbody tr"):
            cells = row.find_all(["th", "td"], recursive=False)
            if len(cells) == 1 and cells[0].get("colspan"):
                continue  # "nothing yet" spanning every column
            assert len(cells) == len(headings)
            for heading, cell in zip(headings, cells):
                if cell.name == "th":
                    assert (cell["scope"], cell["role"]) == ("row", "rowheader")
                else:
                    assert (cell["role"], cell["data-label"]) == ("cell", heading)
