"""The server-drawn charts: labels escaped, Chinese text kept, missing figures drawn as a dash."""

import pytest

from unionhome.work_report.charts_svg import bar_chart, line_chart


def test_bar_labels_are_escaped_and_chinese_is_kept():
    svg = bar_chart("指数 <b>", ['<script>alert("x")</script>', "第一检验站"], [80.5, None], maximum=100)
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;" in svg
    assert "第一检验站" in svg and "80.5" in svg and "—" in svg
    assert svg.count("<rect") == 1  # no bar for the figure not shown
    assert 'font-family="Noto Sans CJK SC' in svg


def test_bar_lengths_follow_the_values():
    svg = bar_chart("t", ["a", "b"], [10, 20])
    widths = [float(part.split('"')[0]) for part in svg.split('width="')[2:]]
    assert widths[1] == pytest.approx(2 * widths[0])


def test_line_breaks_where_a_value_is_missing():
    svg = line_chart("季度", ["一", "二", "三", "四"], [70.0, 75.5, None, 80.0])
    assert svg.count("<circle") == 3 and svg.count("<polyline") == 1  # the lone last point draws no segment
    assert "75.5" in svg and "季度" in svg


def test_one_value_per_label():
    with pytest.raises(ValueError):
        bar_chart("t", ["a"], [1, 2])
    with pytest.raises(ValueError):
        line_chart("t", ["a", "b"], [1.0])
