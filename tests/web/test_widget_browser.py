"""The widget in headless Chromium (Debian's), driven by Playwright: one test per behaviour."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import CHROMIUM, ROOT, Server

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "eval" / "reports"
SHADOW = "document.querySelector('#jiebei-chat-widget').shadowRoot"

# WCAG relative luminance and contrast of a computed colour against the first opaque background behind it
CONTRAST_JS = """(sel) => {
  const root = SHADOW_ROOT;
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const out = [];
  for (const node of root.querySelectorAll(sel)) {
    if (!node.offsetParent && getComputedStyle(node).position !== "fixed") continue;
    const fg = rgb(getComputedStyle(node).color);
    let n = node, bg = null;
    while (n && n.nodeType === 1) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length >= 3 && (c.length === 3 || c[3] > 0.9)) { bg = c; break; }
      n = n.parentNode && n.parentNode.host ? n.parentNode.host : n.parentNode;
    }
    bg = bg || [255, 255, 255];
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    out.push({ sel, text: node.textContent.slice(0, 20), ratio: (a + 0.05) / (b + 0.05) });
  }
  return out;
}""".replace("SHADOW_ROOT", SHADOW)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs it (apt-get install chromium)")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _context(browser, viewport=PHONE, **kw):
    return browser.new_context(viewport=viewport, device_scale_factor=2, locale="zh-CN", **kw)


@pytest.fixture()
def page(browser, server: Server):
    context = _context(browser)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # CSP violations, 404s
    pg.errors = errors
    pg.goto(server.url + "/")
    yield pg
    context.close()


def _open(pg):
    pg.get_by_role("button", name="在线客服", exact=True).click()
    return pg.get_by_role("textbox", name="输入你的问题")


def _bot_messages(pg):
    return pg.locator("#jiebei-chat-widget").locator(".msg.bot")


def _send(pg, box, text: str) -> None:
    """Type ``text``, press Enter, and wait for the bot's reply to it."""
    before = _bot_messages(pg).count()
    box.fill(text)
    box.press("Enter")
    _bot_messages(pg).nth(before).wait_for(timeout=30_000)


def _active_id(pg) -> str:
    return pg.evaluate(f"() => {SHADOW}.activeElement && {SHADOW}.activeElement.id")


def test_penalty_figure_first_details_expand_and_feedback(page, server: Server) -> None:
    box = _open(page)
    assert page.get_by_role("dialog", name="借呗逾期问答").is_visible()
    _send(page, box, "借呗欠了两万逾期一个月，罚息多少？")
    reply = _bot_messages(page).last
    lead = reply.locator(".lead")
    assert re.match(r"按你说的欠款20,000元、逾期30天，罚息约450\.00元", lead.inner_text())
    assert not reply.locator(".details").is_visible()
    reply.get_by_text("展开详细说明").click()
    assert "1.5" in reply.locator(".details").inner_text() and "仅供参考" in reply.locator(".details").inner_text()
    assert reply.locator("table").count() == 0
    page.get_by_role("button", name="有帮助").last.click()
    reply.get_by_text("谢谢你的反馈").wait_for(timeout=10_000)
    db = Path(server.env["JIEBEI_FEEDBACK_DB"])
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM feedback WHERE helpful=1").fetchone()[0] >= 1
    assert not page.errors


def test_a_second_question_is_answered_in_sight_under_the_figure(page) -> None:
    box = _open(page)
    _send(page, box, "借呗欠三万逾期二十天要罚多少钱，会坐牢吗")
    reply = _bot_messages(page).last
    assert "罚息约450.00元" in reply.locator(".lead").inner_text()
    also = reply.locator(".also")
    assert also.count() == 1 and also.is_visible() and "坐牢" in also.inner_text()
    assert not reply.locator(".details").is_visible()  # the explanations stay folded
    page.reload()  # the transcript keeps it
    kept = page.get_by_role("log").locator(".msg.bot .also")
    kept.wait_for(timeout=10_000)
    assert "坐牢" in kept.inner_text()
    assert not page.errors


def test_a_clicked_suggestion_is_asked_and_focus_returns_to_the_input(page) -> None:
    _open(page)
    log = page.get_by_role("log")
    suggestion = log.locator(".suggest button").first
    text = suggestion.inner_text()
    before = _bot_messages(page).count()
    suggestion.click()
    log.locator(".msg.user", has_text=text).wait_for(timeout=10_000)
    _bot_messages(page).nth(before).wait_for(timeout=30_000)
    assert _active_id(page) == "jiebei-input"


def test_each_message_names_its_speaker_and_the_live_region_reads_the_answer_only(page) -> None:
    box = _open(page)
    _send(page, box, "借呗逾期会上征信吗")
    user = page.locator("#jiebei-chat-widget .msg.user").last
    bot = _bot_messages(page).last
    assert user.locator(".sr").inner_text() == "你说：" and bot.locator(".sr").first.inner_text() == "助手说："
    assert page.get_by_role("log").get_attribute("aria-live") == "off"
    live = page.locator("#jiebei-chat-widget [aria-live=polite]")
    live.filter(has_text="助手说：").wait_for(timeout=5_000)
    spoken = live.inner_text()
    assert spoken == "助手说：" + bot.locator(".lead").inner_text()
    assert "有帮助吗" not in spoken and "你还可以问" not in spoken


def test_contrast_of_every_text_meets_wcag_aa(page) -> None:
    box = _open(page)
    _send(page, box, "借呗逾期罚息怎么算")
    _send(page, box, "借呗额度怎么提升")  # a fallback, with the human contacts
    selectors = [".user", ".send", "header h2", "header button", ".lead", ".details", ".sources", ".note", ".disclaimer",
                 ".suggest button", ".fb", ".contacts a", "summary", "textarea", ".launcher"]
    results = [r for sel in selectors for r in page.evaluate(CONTRAST_JS, sel)]
    assert {r["sel"] for r in results} >= {".user", ".send", "header h2", ".lead", ".contacts a"}
    low = [r for r in results if r["ratio"] < 4.5]
    assert not low, low


def test_dark_mode_keeps_the_contrast(browser, server: Server) -> None:
    context = _context(browser, color_scheme="dark")
    pg = context.new_page()
    pg.goto(server.url + "/")
    box = _open(pg)
    _send(pg, box, "借呗逾期会上征信吗")
    bg = pg.evaluate(f"() => getComputedStyle({SHADOW}.querySelector('.panel')).backgroundColor")
    assert bg == "rgb(31, 35, 41)"
    results = [r for sel in (".user", ".send", "header h2", ".lead", ".sources", ".suggest button")
               for r in pg.evaluate(CONTRAST_JS, sel)]
    assert results and not [r for r in results if r["ratio"] < 4.5]
    pg.screenshot(path=str(SHOTS / "widget-360-dark.png"))
    context.close()


def test_unreachable_api_offers_a_retry_and_keeps_the_text(browser, server: Server) -> None:
    context = _context(browser)
    pg = context.new_page()
    pg.goto(server.url + "/")
    pg.route("**/api/chat", lambda route: route.abort())
    box = _open(pg)
    box.fill("借呗逾期会上征信吗")
    box.press("Enter")
    log = pg.get_by_role("log")
    log.get_by_text("暂时连不上服务").wait_for(timeout=15_000)
    assert "网络" not in log.inner_text()  # the service is down, not the user's network
    assert box.input_value() == "借呗逾期会上征信吗" and box.is_enabled()
    assert log.locator(".msg.user").count() == 0
    stored = pg.evaluate("() => JSON.stringify(Object.values(sessionStorage))")
    assert "连不上" not in stored and "借呗逾期会上征信吗" not in stored
    pg.unroute("**/api/chat")
    log.get_by_role("button", name="重试").click()
    _bot_messages(pg).filter(has_text="征信").first.wait_for(timeout=30_000)
    assert log.locator(".msg.error").count() == 0 and box.input_value() == ""
    assert log.locator(".msg.user", has_text="借呗逾期会上征信吗").count() == 1
    context.close()


def test_thumbs_down_asks_what_went_wrong_and_offers_a_human(page, server: Server) -> None:
    box = _open(page)
    _send(page, box, "借呗可以协商还款吗")
    reply = _bot_messages(page).last
    reply.get_by_role("button", name="没帮助").click()
    reply.get_by_text("哪里没帮到你？").wait_for(timeout=10_000)
    tel = reply.locator("a[href='tel:95188']")
    assert tel.is_visible() and tel.inner_text() == "95188"
    comment = reply.get_by_role("textbox", name="哪里没帮到你？（可以不填）")
    comment.fill("想知道具体怎么申请")
    reply.get_by_role("button", name="提交").click()
    reply.get_by_text("已收到").wait_for(timeout=10_000)
    db = Path(server.env["JIEBEI_FEEDBACK_DB"])
    rows = sqlite3.connect(db).execute("SELECT helpful, comment FROM feedback WHERE comment=?",
                                       ("想知道具体怎么申请",)).fetchall()
    assert rows and rows[0][0] == 0


def test_a_crisis_message_gets_tappable_hotlines_first(page) -> None:
    box = _open(page)
    _send(page, box, "我真的还不起了，想死的心都有")
    reply = _bot_messages(page).last
    assert "12356" in reply.locator(".lead").inner_text()
    assert reply.locator("a[href='tel:12356']").is_visible() and reply.locator("a[href='tel:110']").count() == 1


def test_new_conversation_clears_the_transcript_and_the_session(page) -> None:
    box = _open(page)
    _send(page, box, "我借呗欠了6000")
    page.get_by_role("button", name="新对话（清空记录）").click()
    log = page.get_by_role("log")
    assert log.locator(".msg.user").count() == 0
    assert '"sessionId":null' in page.evaluate("() => Object.values(sessionStorage)[0]")
    _send(page, box, "逾期20天罚多少")
    assert "还需要知道逾期没还的金额" in _bot_messages(page).last.inner_text()  # the 6000 was forgotten


def test_conversation_survives_a_reload(page) -> None:
    box = _open(page)
    _send(page, box, "借呗逾期会上征信吗")
    session = page.evaluate("() => Object.entries(sessionStorage)[0][1]")
    page.reload()
    log = page.get_by_role("log")
    log.locator(".msg.user", has_text="借呗逾期会上征信吗").wait_for(timeout=10_000)
    assert page.evaluate("() => Object.entries(sessionStorage)[0][1]") == session
    box = page.get_by_role("textbox", name="输入你的问题")
    if not box.is_visible():
        box = _open(page)
    _send(page, box, "我欠了一万")
    _send(page, box, "逾期10天")
    _bot_messages(page).last.get_by_text("75.00元").first.wait_for(timeout=30_000)


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
    assert _active_id(page) == "jiebei-input"
    box.press_sequentially("第一行")
    box.press("Shift+Enter")
    box.press_sequentially("第二行")
    assert box.input_value() == "第一行\n第二行"
    box.fill("")
    page.keyboard.press("Escape")
    assert not page.get_by_role("dialog").is_visible()
    launcher = page.get_by_role("button", name="在线客服")
    assert launcher.get_attribute("aria-expanded") == "false"
    assert page.evaluate(f"() => {SHADOW}.activeElement.className") == "launcher"


def test_full_screen_on_a_phone_a_floating_panel_on_a_desktop_and_host_css_ignored(browser, server: Server) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for viewport, name in ((PHONE, "widget-360.png"), (DESKTOP, "widget-1280.png")):
        context = _context(browser, viewport)
        pg = context.new_page()
        pg.goto(server.url + "/")
        box = _open(pg)
        _send(pg, box, "借呗欠了两万逾期一个多月罚多少")
        _send(pg, box, "借呗还款日当天晚上还算逾期吗")
        panel = pg.get_by_role("dialog").bounding_box()
        assert panel is not None
        if viewport is PHONE:
            assert panel["x"] == 0 and panel["width"] == PHONE["width"] and panel["height"] == PHONE["height"]
        else:
            assert panel["width"] <= 400 and panel["x"] + panel["width"] <= DESKTOP["width"] - 8
        spacing = pg.evaluate(f"() => getComputedStyle({SHADOW}.querySelector('.log')).letterSpacing")
        assert spacing == "normal"  # the host page sets letter-spacing on every div
        send_bg = pg.evaluate(f"() => getComputedStyle({SHADOW}.querySelector('.send')).backgroundColor")
        assert send_bg == "rgb(11, 87, 208)"  # not the host page's hotpink !important
        pg.screenshot(path=str(SHOTS / name))
        context.close()


def test_configuration_by_data_attributes(browser, server: Server) -> None:
    context = _context(browser, DESKTOP)
    pg = context.new_page()
    pg.set_content(f'<html><body><script src="{server.url}/widget.js" data-api="{server.url}" data-title="还款助手" '
                   'data-primary="#ffd000" data-position="left" data-greeting="您好，请问有什么可以帮您？" '
                   'data-open="true"></script></body></html>')
    dialog = pg.get_by_role("dialog", name="还款助手")
    dialog.wait_for(timeout=10_000)
    assert dialog.is_visible() and dialog.bounding_box()["x"] < 40
    assert "您好，请问有什么可以帮您？" in pg.get_by_role("log").inner_text()
    header = pg.evaluate(f"() => getComputedStyle({SHADOW}.querySelector('header')).color")
    assert header == "rgb(17, 17, 17)"  # dark text on a light primary colour keeps the contrast
    context.close()


def test_docs_render_offline(browser, server: Server) -> None:
    context = _context(browser, DESKTOP)
    pg = context.new_page()
    hosts: set[str] = set()
    pg.on("request", lambda r: hosts.add(urlparse(r.url).netloc))
    pg.goto(server.url + "/docs")
    pg.locator(".swagger-ui .opblock").first.wait_for(timeout=20_000)
    assert hosts == {urlparse(server.url).netloc}
    context.close()
