/*
 * 借呗逾期问答 chat widget.
 * Add to any page:  <script src="https://host/widget.js" data-api="https://host" defer></script>
 * data-api defaults to the origin the script was loaded from. Renders inside a shadow root, so the
 * host page's CSS does not leak in; everything that comes from the API is inserted as text.
 */
(() => {
  "use strict";
  if (window.__jiebeiWidget) return;
  window.__jiebeiWidget = true;

  const script = document.currentScript;
  const apiBase = ((script && script.dataset.api) || (script ? new URL(script.src, location.href).origin : location.origin)).replace(/\/+$/, "");
  const STORE_KEY = "jiebei-widget:" + apiBase;
  const MAX_KEEP = 60;
  const MAX_CHARS = 500;

  const CSS = `
    :host { all: initial; }
    .launcher, .panel { letter-spacing: normal; word-spacing: normal; text-transform: none; text-indent: 0;
      font-style: normal; font-weight: 400; text-align: left; direction: ltr; }
    * { box-sizing: border-box; font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif; }
    .launcher { position: fixed; right: 16px; bottom: 16px; z-index: 2147483000; border: 0; border-radius: 28px;
      padding: 12px 18px; background: #1677ff; color: #fff; font-size: 15px; cursor: pointer;
      box-shadow: 0 4px 14px rgba(0,0,0,.25); }
    .launcher:focus-visible, button:focus-visible, textarea:focus-visible { outline: 3px solid #ffb020; outline-offset: 2px; }
    .panel { position: fixed; right: 16px; bottom: 76px; z-index: 2147483001; width: min(380px, calc(100vw - 16px));
      height: min(600px, calc(100vh - 96px)); display: flex; flex-direction: column; background: #fff; color: #1f1f1f;
      border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.28); overflow: hidden; font-size: 14px; line-height: 1.55; }
    .panel[hidden] { display: none; }
    @media (max-width: 420px) { .panel { right: 8px; left: 8px; width: auto; bottom: 72px; } }
    header { display: flex; align-items: center; justify-content: space-between; padding: 10px 14px; background: #1677ff; color: #fff; }
    header h2 { margin: 0; font-size: 16px; font-weight: 600; }
    .close { background: transparent; color: #fff; border: 0; font-size: 22px; line-height: 1; cursor: pointer; padding: 2px 8px; }
    .log { flex: 1; overflow-y: auto; padding: 12px; background: #f5f7fa; }
    .msg { margin: 0 0 12px; max-width: 92%; padding: 8px 11px; border-radius: 10px; white-space: pre-wrap; word-break: break-word; }
    .user { margin-left: auto; background: #1677ff; color: #fff; border-bottom-right-radius: 3px; }
    .bot { background: #fff; border: 1px solid #e3e7ee; border-bottom-left-radius: 3px; }
    .bot.error { border-color: #f3b4b4; background: #fff4f4; color: #a61b1b; }
    .note { margin-top: 6px; font-size: 12px; color: #6b7280; }
    .sources { margin-top: 6px; font-size: 12px; color: #4b5563; }
    .sources ul { margin: 2px 0 0; padding-left: 18px; }
    table.penalty { margin-top: 8px; border-collapse: collapse; width: 100%; font-size: 13px; }
    table.penalty caption { text-align: left; font-weight: 600; margin-bottom: 2px; }
    table.penalty th, table.penalty td { border: 1px solid #e3e7ee; padding: 3px 6px; text-align: left; vertical-align: top; }
    table.penalty th { background: #f0f4ff; font-weight: 500; white-space: nowrap; }
    .amount { color: #c2410c; font-weight: 700; }
    .suggest { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
    .suggest button, .fb button { border: 1px solid #bcd3ff; background: #eef4ff; color: #0b4bb3; border-radius: 14px;
      padding: 3px 10px; font-size: 13px; cursor: pointer; }
    .fb { display: flex; gap: 6px; align-items: center; margin-top: 6px; font-size: 12px; color: #6b7280; }
    .fb button[aria-pressed="true"] { background: #1677ff; color: #fff; }
    .fb button:disabled { cursor: default; opacity: .75; }
    .typing { padding: 0 12px 6px; font-size: 12px; color: #6b7280; background: #f5f7fa; min-height: 1.5em; }
    form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e3e7ee; background: #fff; }
    textarea { flex: 1; resize: none; height: 44px; max-height: 120px; padding: 8px; border: 1px solid #cbd5e1;
      border-radius: 8px; font-size: 14px; }
    .send { border: 0; border-radius: 8px; background: #1677ff; color: #fff; padding: 0 14px; font-size: 14px; cursor: pointer; }
    .send:disabled { background: #93b7f5; cursor: default; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    .disclaimer { margin-top: 6px; font-size: 12px; color: #92400e; }
  `;

  const el = (tag, attrs = {}, text) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };

  const load = () => {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || "{}");
      return { sessionId: typeof saved.sessionId === "string" ? saved.sessionId : null,
               messages: Array.isArray(saved.messages) ? saved.messages.slice(-MAX_KEEP) : [],
               open: saved.open === true };
    } catch (_) { return { sessionId: null, messages: [], open: false }; }
  };
  const state = load();
  const save = () => {
    try {
      sessionStorage.setItem(STORE_KEY, JSON.stringify({ sessionId: state.sessionId,
        messages: state.messages.slice(-MAX_KEEP), open: state.open }));
    } catch (_) { /* storage full or disabled: the chat still works */ }
  };

  const host = el("div", { id: "jiebei-chat-widget" });
  // inline beats the host page's own rules, so nothing it sets on divs is inherited inside
  host.style.cssText = "all: initial;";
  const root = host.attachShadow({ mode: "open" });
  root.appendChild(el("style", {}, CSS));

  const launcher = el("button", { class: "launcher", type: "button", "aria-label": "在线客服", title: "打开借呗逾期问答",
    "aria-expanded": "false", "aria-controls": "jiebei-panel", "aria-haspopup": "dialog" }, "💬 在线客服");
  const panel = el("section", { class: "panel", id: "jiebei-panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": "jiebei-title" });
  panel.hidden = true;
  const header = el("header");
  header.append(el("h2", { id: "jiebei-title" }, "借呗逾期问答"),
    el("button", { class: "close", type: "button", "aria-label": "关闭对话窗口" }, "×"));
  const log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": "对话记录", tabindex: "0" });
  const typing = el("div", { class: "typing", role: "status", "aria-live": "polite" });
  const form = el("form", { "aria-label": "发送消息" });
  const label = el("label", { for: "jiebei-input", class: "sr" }, "输入你的问题");
  const hint = el("span", { id: "jiebei-hint", class: "sr" }, "按 Enter 发送，Shift+Enter 换行");
  const input = el("textarea", { id: "jiebei-input", rows: "2", maxlength: String(MAX_CHARS),
    placeholder: "输入问题，如：欠2万逾期30天罚多少", "aria-describedby": "jiebei-hint" });
  const send = el("button", { class: "send", type: "submit" }, "发送");
  form.append(label, hint, input, send);
  panel.append(header, log, typing, form);
  root.append(launcher, panel);

  const closeBtn = header.querySelector(".close");

  const scrollDown = () => { log.scrollTop = log.scrollHeight; };

  const renderPenalty = (p) => {
    const table = el("table", { class: "penalty" });
    table.appendChild(el("caption", {}, "罚息估算（仅供参考，以借呗账单和合同为准）"));
    const pct = (x, digits) => (Number(x) * 100).toFixed(digits).replace(/\.?0+$/, "") + "%";
    const money = (x) => Number(x).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + " 元";
    const rows = [
      ["逾期本金", money(p.principal)],
      ["逾期天数", `${p.days} 天`],
      ["日利率", pct(p.daily_rate, 4) + (p.rate_assumed ? "（假设值）" : "")],
      ["计算", p.formula],
      ["估算罚息", money(p.amount)],
      ["折合年化", pct(p.annualized_rate, 2)],
    ];
    const body = el("tbody");
    for (const [k, v] of rows) {
      const tr = el("tr");
      tr.append(el("th", { scope: "row" }, k), el("td", k === "估算罚息" ? { class: "amount" } : {}, v));
      body.appendChild(tr);
    }
    table.appendChild(body);
    return table;
  };

  const sendFeedback = async (msg, helpful, group) => {
    const buttons = group.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    group.querySelector(helpful ? ".up" : ".down").setAttribute("aria-pressed", "true");
    const status = group.querySelector(".fb-status");
    try {
      const res = await fetch(apiBase + "/api/feedback", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ session_id: state.sessionId, message_id: msg.message_id, helpful }) });
      if (!res.ok) throw new Error(String(res.status));
      msg.feedback = helpful ? "up" : "down";
      save();
      status.textContent = "谢谢你的反馈";
    } catch (_) {
      buttons.forEach((b) => { b.disabled = false; b.setAttribute("aria-pressed", "false"); });
      status.textContent = "反馈没有发送成功，请稍后再试";
    }
  };

  const renderMessage = (msg) => {
    if (msg.role === "user") {
      return log.appendChild(el("p", { class: "msg user" }, msg.text));
    }
    const box = el("div", { class: "msg bot" + (msg.error ? " error" : "") });
    if (msg.penalty) box.appendChild(renderPenalty(msg.penalty));  // the figure first, then the explanation
    box.appendChild(el("div", { class: "text" }, msg.text));
    if (msg.disclaimer) box.appendChild(el("div", { class: "disclaimer" }, msg.disclaimer));
    if (Array.isArray(msg.sources) && msg.sources.length) {
      const src = el("div", { class: "sources" }, "来源：");
      const ul = el("ul");
      for (const s of msg.sources) ul.appendChild(el("li", {}, s.label || s.title));
      src.appendChild(ul);
      box.appendChild(src);
    }
    if (msg.message_id && !msg.error) {
      const group = el("div", { class: "fb", role: "group", "aria-label": "这个回答有帮助吗" });
      const up = el("button", { type: "button", class: "up", "aria-label": "有帮助", "aria-pressed": String(msg.feedback === "up") }, "👍");
      const down = el("button", { type: "button", class: "down", "aria-label": "没帮助", "aria-pressed": String(msg.feedback === "down") }, "👎");
      const status = el("span", { class: "fb-status" }, msg.feedback ? "谢谢你的反馈" : "");
      if (msg.feedback) { up.disabled = true; down.disabled = true; }
      up.addEventListener("click", () => sendFeedback(msg, true, group));
      down.addEventListener("click", () => sendFeedback(msg, false, group));
      group.append(el("span", {}, "有帮助吗？"), up, down, status);
      box.appendChild(group);
    }
    if (Array.isArray(msg.suggestions) && msg.suggestions.length) {
      const wrap = el("div", { class: "suggest", role: "group", "aria-label": "你还可以问" });
      for (const q of msg.suggestions) {
        const b = el("button", { type: "button" }, q);
        b.addEventListener("click", () => ask(q));
        wrap.appendChild(b);
      }
      box.appendChild(wrap);
    }
    log.appendChild(box);
    return box;
  };

  // a long answer is read from its start: bring the new reply's top into view, not the log's end
  const push = (msg) => {
    state.messages.push(msg);
    save();
    const node = renderMessage(msg);
    if (msg.role === "user" || !node) scrollDown();
    else log.scrollTop = Math.max(0, node.offsetTop - log.offsetTop - 8);
  };

  const greet = () => {
    if (state.messages.length === 0) {
      renderMessage({ role: "bot", text: "你好，我可以解答借呗逾期的常见问题：罚息、征信、催收、协商还款等。告诉我欠款金额和逾期天数，我还能帮你估算罚息。",
        suggestions: ["借呗逾期会上征信吗", "欠了2万逾期一个月罚多少", "借呗还不上了怎么办"] });
    }
  };

  let busy = false;
  const ask = async (text) => {
    const message = String(text || "").trim();
    if (!message || busy) return;
    if (message.length > MAX_CHARS) {
      push({ role: "bot", error: true, text: `消息太长了，请控制在${MAX_CHARS}字以内。` });
      return;
    }
    busy = true;
    send.disabled = true;
    push({ role: "user", text: message });
    typing.textContent = "客服正在输入…";
    try {
      const res = await fetch(apiBase + "/api/chat", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ message, session_id: state.sessionId }) });
      let data = null;
      try { data = await res.json(); } catch (_) { data = null; }
      if (!res.ok || !data || typeof data.answer !== "string") {
        const zh = data && data.error && typeof data.error.zh === "string" ? data.error.zh : null;
        const wait = res.headers.get("Retry-After");
        throw new Error(zh ? zh + (wait ? `（约${wait}秒后可再试）` : "") : `服务出错了（${res.status}），请稍后再试。`);
      }
      state.sessionId = data.session_id || state.sessionId;
      push({ role: "bot", text: data.answer, sources: data.sources, suggestions: data.suggestions,
        penalty: data.penalty, message_id: data.message_id, disclaimer: data.disclaimer });
    } catch (err) {
      const offline = err instanceof TypeError;
      push({ role: "bot", error: true, text: offline ? "暂时连不上服务，请检查网络后重试。" : String(err.message || err) });
    } finally {
      typing.textContent = "";
      busy = false;
      send.disabled = false;
    }
  };

  const open = () => {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    state.open = true;
    save();
    scrollDown();
    input.focus();
  };
  const close = () => {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    save();
    launcher.focus();
  };

  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  closeBtn.addEventListener("click", close);
  panel.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.preventDefault(); close(); } });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value;
    if (!text.trim() || busy) return;
    input.value = "";
    ask(text);
  });

  greet();
  state.messages.forEach(renderMessage);
  const mount = () => {
    document.body.appendChild(host);
    if (state.open) { panel.hidden = false; launcher.setAttribute("aria-expanded", "true"); scrollDown(); }
  };
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
