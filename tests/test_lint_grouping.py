"""Repeated findings are one entry per rule (count and locations) in text and HTML; JSON keeps each."""

from __future__ import annotations

from dbmigrate_magic import api

SQL = "".join(f"ALTER TABLE orders ADD COLUMN c{i} int;\n" for i in range(25)) + "DROP TABLE old_orders;\n"


def test_text_and_html_group_by_rule_with_count_and_locations(tmp_path):
    f = tmp_path / "0003_columns.sql"
    f.write_text(SQL)
    r = api.lint([f], session_timeouts=True, exclude=["prefer-robust-stmts"], pg_version="15")
    assert sum(x.rule == "prefer-bigint-over-int" for x in r.findings) == 25  # every finding kept
    text = r.to_text()
    assert text.count("[prefer-bigint-over-int]") == 1
    assert "x25 at lines 1, 2, 3" in text and "and 5 more" in text
    assert text.count("[ban-drop-table]") == 1 and f"{f}:26:1: error[ban-drop-table]" in text
    page = r._repr_html_()
    assert page.count("<td style='text-align:left;white-space:pre-wrap'>prefer-bigint-over-int</td>") == 1
    assert ">25<" in page and f"{f}:1:" in page
    assert len(r.to_frame()) == 26  # the frame stays one row per finding
