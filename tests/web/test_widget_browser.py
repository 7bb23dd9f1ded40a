"""The widget in headless Chromium (Debian's), driven by Playwright at phone size."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, Server, free_port

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
PHONE = {"width": 360, "height": 740}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs it (apt-get install chromium)")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, server: Server):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="zh-CN")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # CSP violations, 404s
    pg.errors = errors
    pg.goto(server.url + "/")
    yield pg
    context.close()


def _open(pg):
    launcher = pg.get_by_role("button", name="在线客服", exact=True)
    launcher.click()
    return pg.get_by_role("textbox", name="输入你的问题")


def _bot_messages(pg):
    return pg.locator("#jiebei-chat-widget").locator(".msg.bot")


def _send(pg, box, text: str) -> None:
    """Type ``text``, press Enter, and wait for the bot's reply to it."""
    before = _bot_messages(pg).count()
    box.fill(text)
    box.press("Enter")
    _bot_messages(pg).nth(before).wait_for(timeout=30_000)


def test_ask_penalty_see_figure_click_suggestion_and_give_feedback(page, server: Server, tmp_path: Path) -> None:
    box = _open(page)
    assert page.get_by_role("dialog", name="借呗逾期问答").is_visible()
    _send(page, box, "借呗欠了两万逾期一个月，罚息多少？")
    log = page.get_by_role("log")
    log.get_by_text("450.00 元").first.wait_for(timeout=30_000)
    table = log.locator("table.penalty").last
    assert "20,000.00 元" in table.inner_text() and "30 天" in table.inner_text()
    assert "仅供参考" in log.inner_text()
    page.screenshot(path=str(tmp_path / "penalty.png"))
    # a suggested question becomes the next question
    suggestion = log.locator(".suggest button").last
    text = suggestion.inner_text()
    before = _bot_messages(page).count()
    suggestion.click()
    log.locator(".msg.user", has_text=text).wait_for(timeout=10_000)
    _bot_messages(page).nth(before).wait_for(timeout=30_000)
    # feedback
    page.get_by_role("button", name="有帮助").first.click()
    log.get_by_text("谢谢你的反馈").first.wait_for(timeout=10_000)
    db = Path(server.env["JIEBEI_FEEDBACK_DB"])
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM feedback WHERE helpful=1").fetchone()[0] >= 1
    assert not page.errors


def test_conversation_survives_a_reload(page) -> None:
    box = _open(page)
    _send(page, box, "借呗逾期会上征信吗")
    session = page.evaluate("() => Object.entries(sessionStorage)[0][1]")
    page.reload()
    log = page.get_by_role("log")
    log.locator(".msg.user", has_text="借呗逾期会上征信吗").wait_for(timeout=10_000)
    assert page.evaluate("() => Object.entries(sessionStorage)[0][1]") == session
    # the same session continues: the amount said before the reload is remembered after it
    box = page.get_by_role("textbox", name="输入你的问题")
    if not box.is_visible():
        box = _open(page)
    _send(page, box, "我欠了一万")
    _send(page, box, "逾期10天")
    log.get_by_text("75.00 元").first.wait_for(timeout=30_000)


def test_markup_is_rendered_as_text_and_never_runs(page) -> None:
    box = _open(page)
    payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>借呗'
    _send(page, box, payload)
    log = page.get_by_role("log")
    assert payload in log.inner_text()
    widget = page.locator("#jiebei-chat-widget")
    assert widget.locator("img").count() == 0 and widget.locator(".log script").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    assert not page.errors


def test_keyboard_enter_shift_enter_and_escape(page) -> None:
    box = _open(page)
    assert page.evaluate("() => document.querySelector('#jiebei-chat-widget').shadowRoot.activeElement.id") == "jiebei-input"
    box.press_sequentially("第一行")
    box.press("Shift+Enter")
    box.press_sequentially("第二行")
    assert box.input_value() == "第一行\n第二行"
    box.fill("")
    page.keyboard.press("Escape")
    assert not page.get_by_role("dialog").is_visible()
    launcher = page.get_by_role("button", name="在线客服")
    assert launcher.get_attribute("aria-expanded") == "false"
    assert page.evaluate("() => document.querySelector('#jiebei-chat-widget').shadowRoot.activeElement.className") == "launcher"


def test_fits_a_phone_and_ignores_host_css(page) -> None:
    _open(page)
    box = page.get_by_role("dialog").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    launcher_bg = page.evaluate(
        "() => getComputedStyle(document.querySelector('#jiebei-chat-widget').shadowRoot.querySelector('.launcher')).backgroundColor")
    assert launcher_bg == "rgb(22, 119, 255)"  # not the host page's hotpink !important
    spacing = page.evaluate(
        "() => getComputedStyle(document.querySelector('#jiebei-chat-widget').shadowRoot.querySelector('.log')).letterSpacing")
    assert spacing == "normal"  # the host page sets letter-spacing on every div


def test_unreachable_api_gives_a_clear_message(browser, server: Server) -> None:
    context = browser.new_context(viewport=PHONE)
    pg = context.new_page()
    dead = f"http://127.0.0.1:{free_port()}"
    pg.set_content(f'<html><body><script src="{server.url}/widget.js" data-api="{dead}"></script></body></html>')
    box = _open(pg)
    box.fill("借呗逾期会上征信吗")
    box.press("Enter")
    pg.get_by_role("log").get_by_text("暂时连不上服务").wait_for(timeout=15_000)
    assert box.is_enabled()
    context.close()
