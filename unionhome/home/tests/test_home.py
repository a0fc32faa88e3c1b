import pytest
from django.urls import reverse
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_member_home_shows_services_not_queue(login_as, people):
    html = login_as(people["member"]).get(reverse("home:index")).content.decode()
    assert "Welcome, 张三" in html
    assert "My data" in html and "Factory-affairs disclosure" in html and "Workers' congress" in html
    assert "Work queue" not in html and "echarts" not in html
    assert 'href="/org/members/"' not in html


def test_cadre_home_shows_queue_and_chart(login_as, people):
    response = login_as(people["chair"]).get(reverse("home:index"))
    html = response.content.decode()
    assert "Work queue" in html and "Nothing is waiting for you." in html
    assert "echarts.slim.min.js" in html
    chart = response.context["unit_chart"]
    assert chart["labels"] == ["第一检验站分工会", "第二检验站分工会"] and chart["values"] == [2, 1]


def test_cadre_must_pass_second_factor_first(client, people):
    client.force_login(people["cadre"], backend="unionhome.accounts.backends.LoginIdBackend")
    response = client.get(reverse("home:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:second_factor"))


def test_navigation_follows_permissions(login_as, people):
    html = login_as(people["auditor"]).get(reverse("home:index")).content.decode()
    assert reverse("audit:event_list") in html and 'href="/org/members/"' not in html


def test_language_switch_to_chinese(client, people):
    client.force_login(people["member"], backend="unionhome.accounts.backends.LoginIdBackend")
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    with translation.override("zh-hans"):
        html = client.get(reverse("home:index")).content.decode()
    assert 'lang="zh-Hans"' in html
