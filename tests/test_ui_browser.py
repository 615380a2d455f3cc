"""The view in a real browser: Debian's headless Chromium driven by Selenium through chromium-driver, against
the real service (werkzeug, in a thread) and the test Redis. Screenshots go to tests/screenshots/ (git-ignored).

`.ci/run` installs chromium and chromium-driver; these tests are skipped, saying why, only where neither
can be found.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import articles
from tests.helpers import check, serving

CHROMIUM, DRIVER = shutil.which("chromium") or "/usr/bin/chromium", shutil.which("chromedriver")
SCREENSHOTS = Path(__file__).with_name("screenshots")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and DRIVER),
        reason="Chromium not installed: `apt-get install -y chromium chromium-driver` (.ci/run does it)",
    ),
]
FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1200,900",
)  # fmt: skip


@pytest.fixture
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="dedupe-chromium-")
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def go(driver, element) -> None:
    """Click a link or button and wait until the next page has replaced this one."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 15).until(expected_conditions.staleness_of(page))


def shot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def seed(client) -> None:
    """A wire story with copies by three outlets, and two stories of their own."""
    paras = articles.story_paragraphs()
    local = "Residents of the city gathered on Thursday evening to discuss what the talks could mean for them."
    check(client, "afp-0127-1132", articles.join(paras), title="Russia says US failing on Ukraine but more talks "
          "possible", url="https://afp.example/1132", outlet="AFP", published_at="2022-01-27T08:02:00Z")  # fmt: skip
    check(client, "ndtv-russia-us", articles.join([local, *paras[:9]]), title="Russia Says US Failing On Ukraine",
          url="https://ndtv.example/russia-us", outlet="NDTV", published_at="2022-01-27T09:35:00Z")  # fmt: skip
    check(client, "courier-brief", articles.brief(paragraphs=4), title="In brief: Russia, US", outlet="Daily Courier",
          url="javascript:alert(1)", published_at="2022-01-27T11:10:00Z")  # fmt: skip
    check(client, "herald-other", articles.SAME_TOPIC, title="Ukraine tensions: what we know", outlet="Metro Herald",
          published_at="2022-01-27T12:00:00Z")  # fmt: skip
    check(client, "post-unrelated", articles.UNRELATED, title="<script>alert('x')</script> Markets", outlet="Post")


def test_story_copy_and_back(browser, app):
    from selenium.webdriver.common.by import By

    seed(app.test_client())
    with serving(app) as base:
        browser.get(base + "/ui/")
        assert browser.title.startswith("Recent stories")
        assert not browser.find_elements(By.TAG_NAME, "script")
        shot(browser, "recent")
        go(browser, browser.find_element(By.LINK_TEXT, "Russia says US failing on Ukraine but more talks possible"))
        assert len(browser.find_elements(By.CSS_SELECTOR, "svg circle.dot")) == 3
        assert "stops after sentence" in browser.find_element(By.CSS_SELECTOR, "table.copies").text
        story_url = browser.current_url
        shot(browser, "story")
        go(browser, browser.find_element(By.LINK_TEXT, "Russia Says US Failing On Ukraine"))
        assert "/ui/articles/ndtv-russia-us" in browser.current_url
        assert browser.find_elements(By.CSS_SELECTOR, ".side .added")
        assert browser.find_elements(By.CSS_SELECTOR, ".side .cut") and browser.find_elements(
            By.CSS_SELECTOR, ".shared"
        )
        assert "adds 1 sentence at the top" in browser.find_element(By.CSS_SELECTOR, ".alignment").text
        shot(browser, "copy")
        browser.back()
        assert browser.current_url == story_url
        browser.forward()
        go(browser, browser.find_element(By.ID, "back"))
        assert browser.current_url == story_url
        # a javascript: URL is shown as text, never linked
        assert not browser.find_elements(By.CSS_SELECTOR, "a[href^='javascript']")


def test_search_and_the_check_form(browser, app, redis_client):
    from selenium.webdriver.common.by import By

    seed(app.test_client())
    with serving(app) as base:
        browser.get(base + "/ui/")
        box = browser.find_element(By.NAME, "q")
        box.send_keys("ukraine")
        go(browser, browser.find_element(By.CSS_SELECTOR, "form.search button"))
        assert "/ui/search" in browser.current_url
        assert len(browser.find_elements(By.CSS_SELECTOR, "ul.results li")) == 3
        shot(browser, "search")
        go(browser, browser.find_element(By.LINK_TEXT, "Check an article"))
        keys_before = redis_client.dbsize()
        browser.find_element(By.NAME, "outlet").send_keys("Wire desk")
        browser.find_element(By.NAME, "text").send_keys(articles.brief(paragraphs=5))
        go(browser, browser.find_element(By.ID, "check"))
        assert browser.find_element(By.ID, "verdict").text == "A copy of a story already seen"
        assert "afp-0127-1132" in browser.find_element(By.CSS_SELECTOR, "table.copies").get_attribute("innerHTML")
        assert redis_client.dbsize() == keys_before  # looked, not stored
        shot(browser, "check")


def test_login_and_logout(browser, make_app):
    from selenium.webdriver.common.by import By

    seed(make_app().test_client())  # the same Redis, served below with a key
    app = make_app(api_keys=("newsroom-key",))
    with serving(app) as base:
        browser.get(base + "/ui/")
        assert "/ui/login" in browser.current_url
        browser.find_element(By.NAME, "key").send_keys("wrong-key")
        go(browser, browser.find_element(By.ID, "login"))
        assert "not one of DEDUPE_API_KEYS" in browser.find_element(By.CSS_SELECTOR, ".error").text
        shot(browser, "login")
        browser.find_element(By.NAME, "key").send_keys("newsroom-key")
        go(browser, browser.find_element(By.ID, "login"))
        assert browser.current_url == base + "/ui/"
        assert browser.find_elements(By.CSS_SELECTOR, "a.story")
        assert browser.get_cookie("dedupe_ui")["httpOnly"] is True
        go(browser, browser.find_element(By.ID, "logout"))
        assert "/ui/login" in browser.current_url
        browser.get(base + "/ui/")
        assert "/ui/login" in browser.current_url
