"""The health dashboard against a real registry."""

import re

from tests.ui.browser import Browser


async def test_the_dashboard_shows_component_status_in_words_and_request_charts(admin: Browser) -> None:
    page = await admin.get("/dashboard?window=15")
    assert page.status == 200
    assert "<title>System health, last 15 minutes · Model registry</title>" in page.text
    assert '<option value="15" selected>15 minutes</option>' in page.text
    assert "Status: <strong>OK</strong>" in page.text and "catalog-svc" in page.text
    assert page.text.count('role="img"') >= 1 and "Data table:" in page.text
    assert 'data-refresh-seconds="30"' in page.text and "Reload the figures" in page.text


async def test_an_out_of_range_window_falls_back_to_an_hour(admin: Browser) -> None:
    page = await admin.get("/dashboard?window=99999")
    assert page.status == 200 and '<option value="60" selected>60 minutes</option>' in page.text


async def test_a_day_long_window_shows_sixty_buckets_of_24_minutes(admin: Browser) -> None:
    page = await admin.get("/dashboard?window=1440")
    assert page.status == 200
    assert "<title>System health, last 1440 minutes · Model registry</title>" in page.text
    assert '<option value="1440" selected>1440 minutes</option>' in page.text
    table = page.text.split('id="gateway-requests-table"', 1)[1].split("</table>", 1)[0]
    buckets = re.findall(r'<tr><th scope="row">(\d\d):(\d\d)-(\d\d):(\d\d)</th><td class="num">[\d,]+</td></tr>', table)
    assert len(buckets) == 60  # the chart's most points: 1440 minutes in buckets of 24
    for first_h, first_m, last_h, last_m in buckets:
        assert (int(last_h) * 60 + int(last_m) - int(first_h) * 60 - int(first_m)) % 1440 == 23
