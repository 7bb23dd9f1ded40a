/*
 * 借呗逾期问答 chat widget.
 * Add to any page:
 *   <script src="https://host/widget.js" data-api="https://host" defer></script>
 * Optional data- attributes: data-title, data-primary (a CSS colour), data-position ("right" | "left"),
 * data-greeting, data-open ("true" opens the panel on load).
 * data-api defaults to the origin the script was loaded from. Renders inside a shadow root, so the
 * host page's CSS does not leak in; everything that comes from the API is inserted as text, and
 * phone numbers become tel: links built as DOM nodes.
 */
(() => {
  "use strict";
  if (window.__jiebeiWidget) return;
  window.__jiebeiWidget = true;

  const script = document.currentScript;
  const data = (script && script.dataset) || {};
  const apiBase = (data.api || (script ? new URL(script.src, location.href).origin : location.origin)).replace(/\/+$/, "");
  const STORE_KEY = "jiebei-widget:" + apiBase;
  const MAX_KEEP = 60;
  const MAX_CHARS = 500;
  const TITLE = (data.title || "借呗逾期问答").slice(0, 40);
  const POSITION = data.position === "left" ? "left" : "right";
  const GREETING = data.greeting || "你好，我是借呗逾期问答助手（自动回复）。可以问我还款日几点前还、逾期一天有没有影响、还不上怎么办；告诉我欠款金额和逾期天数，我还能帮你估算罚息。";

  // WCAG contrast: pick black or white text for the primary colour, whichever reads better
  const luminance = (rgb) => {
    const c = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const parseColor = (value) => {
    const probe = document.createElement("span");
    probe.style.color = value;
    if (!probe.style.color) return null;
    document.documentElement.appendChild(probe);
    const m = getComputedStyle(probe).color.match(/\d+(\.\d+)?/g);
    probe.remove();
    return m ? m.slice(0, 3).map(Number) : null;
  };
  const primaryRgb = (data.primary && parseColor(data.primary)) || [11, 87, 208];
  const primary = `rgb(${primaryRgb.join(",")})`;
  const onPrimary = luminance(primaryRgb) > 0.179 ? "#111" : "#fff";

  const CSS = `
    :host { all: initial; }
    .launcher, .panel { letter-spacing: normal; word-spacing: normal; text-transform: none; text-indent: 0;
      font-style: normal; font-weight: 400; text-align: left; direction: ltr; }
    * { box-sizing: border-box; font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif; }
    .wrap { --primary: ${primary}; --on-primary: ${onPrimary}; --bg: #fff; --fg: #1f1f1f; --muted: #4b5563;
      --log-bg: #f5f7fa; --bubble: #fff; --border: #d5dbe3; --chip-bg: #eef4ff; --chip-fg: #0b3f91;
      --warn: #8a3b00; --err-bg: #fff4f4; --err-fg: #9b1c1c; --link: #0b57d0; }
    @media (prefers-color-scheme: dark) {
      .wrap { --bg: #1f2329; --fg: #eef0f3; --muted: #c1c7d0; --log-bg: #171a1f; --bubble: #262b33; --border: #3b424d;
        --chip-bg: #24324a; --chip-fg: #cfe0ff; --warn: #ffc58a; --err-bg: #3a1f22; --err-fg: #ffc9c9; --link: #9cc2ff; }
    }
    .launcher { position: fixed; ${POSITION}: 16px; bottom: 16px; z-index: 2147483000; border: 0; border-radius: 28px;
      padding: 12px 18px; background: var(--primary); color: var(--on-primary); font-size: 15px; cursor: pointer;
      box-shadow: 0 4px 14px rgba(0,0,0,.25); }
    button:focus-visible, textarea:focus-visible, a:focus-visible, summary:focus-visible { outline: 3px solid #ffb020; outline-offset: 2px; }
    .panel { position: fixed; ${POSITION}: 16px; bottom: 76px; z-index: 2147483001; width: min(390px, calc(100vw - 16px));
      height: min(620px, calc(100vh - 96px)); display: flex; flex-direction: column; background: var(--bg); color: var(--fg);
      border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.28); overflow: hidden; font-size: 14px; line-height: 1.55; }
    .panel[hidden] { display: none; }
    @media (max-width: 479px) { .panel { left: 0; right: 0; top: 0; bottom: 0; width: 100vw; height: 100vh; height: 100dvh; border-radius: 0; } }
    header { display: flex; align-items: center; gap: 6px; padding: 10px 12px; background: var(--primary); color: var(--on-primary); }
    header h2 { margin: 0; font-size: 16px; font-weight: 600; flex: 1; }
    header button { background: transparent; color: var(--on-primary); border: 1px solid transparent; cursor: pointer; font-size: 13px;
      padding: 4px 8px; border-radius: 6px; }
    header .close { font-size: 22px; line-height: 1; padding: 2px 8px; }
    .log { flex: 1; overflow-y: auto; padding: 12px; background: var(--log-bg); }
    .msg { margin: 0 0 12px; max-width: 92%; padding: 8px 11px; border-radius: 10px; word-break: break-word; }
    .user { margin-left: auto; background: var(--primary); color: var(--on-primary); border-bottom-right-radius: 3px; white-space: pre-wrap; }
    .bot { background: var(--bubble); color: var(--fg); border: 1px solid var(--border); border-bottom-left-radius: 3px; }
    .bot.error { border-color: #e29b9b; background: var(--err-bg); color: var(--err-fg); }
    .lead { font-weight: 600; white-space: pre-wrap; }
    .also { font-weight: 600; white-space: pre-wrap; margin-top: 6px; padding-top: 6px; border-top: 1px dashed var(--border); }
    details { margin-top: 4px; }
    summary { cursor: pointer; color: var(--link); font-size: 13px; }
    .details { white-space: pre-wrap; margin-top: 4px; }
    .sources, .note { margin-top: 6px; font-size: 12px; color: var(--muted); }
    .sources summary { color: var(--muted); font-size: 12px; }
    .sources ul { margin: 2px 0 0; padding-left: 18px; }
    .disclaimer { margin-top: 6px; font-size: 12px; color: var(--warn); }
    .contacts { margin: 6px 0 0; padding: 0; list-style: none; }
    .contacts li { margin: 2px 0; }
    .contacts a { color: var(--link); font-weight: 600; }
    .contacts .hint { color: var(--muted); font-size: 12px; }
    .suggest { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
    .suggest button, .fb button, .retry, .comment button { border: 1px solid var(--border); background: var(--chip-bg); color: var(--chip-fg);
      border-radius: 14px; padding: 3px 10px; font-size: 13px; cursor: pointer; }
    .fb { display: flex; gap: 6px; align-items: center; margin-top: 6px; font-size: 12px; color: var(--muted); }
    .fb button[aria-pressed="true"] { background: var(--primary); color: var(--on-primary); }
    .fb button:disabled { cursor: default; }
    .comment { margin-top: 6px; display: flex; flex-direction: column; gap: 4px; }
    .comment label { font-size: 13px; }
    .comment textarea { height: 48px; }
    .status { padding: 0 12px 6px; font-size: 12px; color: var(--muted); background: var(--log-bg); min-height: 1.5em; }
    form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid var(--border); background: var(--bg); }
    textarea { flex: 1; resize: none; height: 44px; max-height: 120px; padding: 8px; border: 1px solid #8c96a3;
      border-radius: 8px; font-size: 14px; background: var(--bg); color: var(--fg); }
    .send { border: 0; border-radius: 8px; background: var(--primary); color: var(--on-primary); padding: 0 14px; font-size: 14px; cursor: pointer; }
    .send:disabled { opacity: .6; cursor: default; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
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
  const wrap = el("div", { class: "wrap" });
  root.appendChild(wrap);

  const launcher = el("button", { class: "launcher", type: "button", "aria-label": "在线客服", title: "打开" + TITLE,
    "aria-expanded": "false", "aria-controls": "jiebei-panel", "aria-haspopup": "dialog" }, "💬 在线客服");
  const panel = el("section", { class: "panel", id: "jiebei-panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": "jiebei-title" });
  panel.hidden = true;
  const header = el("header");
  const newChat = el("button", { class: "new", type: "button", "aria-label": "新对话（清空记录）" }, "新对话");
  const closeBtn = el("button", { class: "close", type: "button", "aria-label": "关闭对话窗口" }, "×");
  header.append(el("h2", { id: "jiebei-title" }, TITLE), newChat, closeBtn);
  // the log is read by moving through it; new answers are announced once, by the live region below
  const log = el("div", { class: "log", role: "log", "aria-live": "off", "aria-label": "对话记录", tabindex: "0" });
  const status = el("div", { class: "status", role: "status" });
  const announcer = el("div", { class: "sr", "aria-live": "polite", "aria-atomic": "true" });
  const form = el("form", { "aria-label": "发送消息" });
  const label = el("label", { for: "jiebei-input", class: "sr" }, "输入你的问题");
  const hint = el("span", { id: "jiebei-hint", class: "sr" }, "按 Enter 发送，Shift+Enter 换行");
  const input = el("textarea", { id: "jiebei-input", rows: "2", maxlength: String(MAX_CHARS),
    placeholder: "输入问题，如：欠2万逾期30天罚多少", "aria-describedby": "jiebei-hint" });
  const send = el("button", { class: "send", type: "submit" }, "发送");
  form.append(label, hint, input, send);
  panel.append(header, log, status, announcer, form);
  wrap.append(launcher, panel);

  const scrollDown = () => { log.scrollTop = log.scrollHeight; };
  const announce = (text) => { announcer.textContent = ""; setTimeout(() => { announcer.textContent = text; }, 50); };

  const renderContacts = (contacts) => {
    const list = el("ul", { class: "contacts", "aria-label": "可以联系" });
    for (const c of contacts) {
      if (!c || !/^[0-9]{3,12}$/.test(String(c.number))) continue;
      const li = el("li");
      li.append(el("span", {}, `${c.name}：`), el("a", { href: "tel:" + c.number }, c.number));
      if (c.note) li.append(el("span", { class: "hint" }, `（${c.note}）`));
      list.appendChild(li);
    }
    return list;
  };

  const postFeedback = async (msg, helpful, comment) => {
    const body = { session_id: state.sessionId, message_id: msg.message_id, helpful };
    if (comment) body.comment = comment.slice(0, 500);
    const res = await fetch(apiBase + "/api/feedback", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body) });
    if (!res.ok) throw new Error(String(res.status));
    return res.json();
  };

  const rate = async (msg, helpful, box, group) => {
    const buttons = group.querySelectorAll("button");
    const fbStatus = box.querySelector(".fb-status");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const reply = await postFeedback(msg, helpful);
      msg.feedback = helpful ? "up" : "down";
      save();
      group.querySelector(helpful ? ".up" : ".down").setAttribute("aria-pressed", "true");
      fbStatus.textContent = "谢谢你的反馈";
      if (!helpful) askWhatWentWrong(msg, box, reply && Array.isArray(reply.contacts) ? reply.contacts : []);
    } catch (_) {
      buttons.forEach((b) => { b.disabled = false; });
      fbStatus.textContent = "反馈没有发送成功，请稍后再试";
    }
  };

  // 👎 asks what did not help, with an optional short comment, and offers a human
  const askWhatWentWrong = (msg, box, contacts) => {
    if (box.querySelector(".comment")) return;
    const id = "jiebei-c-" + msg.message_id;
    const wrapC = el("div", { class: "comment" });
    const q = el("label", { for: id }, "哪里没帮到你？（可以不填）");
    const area = el("textarea", { id, maxlength: "500" });
    const submit = el("button", { type: "button" }, "提交");
    const done = el("div", { class: "note", role: "status" });
    submit.addEventListener("click", async () => {
      const text = area.value.trim();
      if (!text) { done.textContent = "没有填写也没关系，已经记下了你的反馈"; return; }
      submit.disabled = true;
      try { await postFeedback(msg, false, text); done.textContent = "已收到，谢谢你告诉我们"; area.disabled = true; }
      catch (_) { submit.disabled = false; done.textContent = "没有发送成功，请稍后再试"; }
    });
    wrapC.append(q, area, submit, done);
    if (contacts.length) wrapC.append(el("div", { class: "note" }, "需要人工帮助可以联系："), renderContacts(contacts));
    box.appendChild(wrapC);
    area.focus();
  };

  const renderMessage = (msg) => {
    if (msg.role === "user") {
      const p = el("p", { class: "msg user" });
      p.append(el("span", { class: "sr" }, "你说："), document.createTextNode(msg.text));
      return log.appendChild(p);
    }
    const box = el("div", { class: "msg bot" + (msg.error ? " error" : "") });
    box.appendChild(el("span", { class: "sr" }, msg.error ? "提示：" : "助手说："));
    box.appendChild(el("div", { class: "lead" }, msg.lead || msg.text || ""));
    // the direct answer to the message's other question ("…罚多少，会被起诉吗"), shown, not folded away
    if (Array.isArray(msg.also)) for (const a of msg.also) box.appendChild(el("div", { class: "also" }, String(a)));
    if (msg.details) {
      const more = el("details");
      more.append(el("summary", {}, "展开详细说明"), el("div", { class: "details" }, msg.details));
      box.appendChild(more);
    }
    if (Array.isArray(msg.contacts) && msg.contacts.length) box.appendChild(renderContacts(msg.contacts));
    if (msg.disclaimer) box.appendChild(el("div", { class: "disclaimer" }, msg.disclaimer));
    if (Array.isArray(msg.sources) && msg.sources.length) {
      const src = el("details", { class: "sources" });
      src.appendChild(el("summary", {}, `来源（${msg.sources.length}）`));
      const ul = el("ul");
      for (const s of msg.sources) ul.appendChild(el("li", {}, s.label || s.title));
      src.appendChild(ul);
      box.appendChild(src);
    }
    if (msg.error && msg.retryText) {
      box.appendChild(el("div", { class: "note" }, "未发出的消息：" + msg.retryText));
      const retry = el("button", { type: "button", class: "retry" }, "重试");
      retry.addEventListener("click", () => {
        box.remove();
        if (input.value === msg.retryText) input.value = "";
        ask(msg.retryText);
      });
      box.appendChild(retry);
    }
    if (msg.message_id && !msg.error) {
      const group = el("div", { class: "fb", role: "group", "aria-label": "这个回答有帮助吗" });
      const up = el("button", { type: "button", class: "up", "aria-label": "有帮助", "aria-pressed": String(msg.feedback === "up") }, "👍");
      const down = el("button", { type: "button", class: "down", "aria-label": "没帮助", "aria-pressed": String(msg.feedback === "down") }, "👎");
      if (msg.feedback) { up.disabled = true; down.disabled = true; }
      up.addEventListener("click", () => rate(msg, true, box, group));
      down.addEventListener("click", () => rate(msg, false, box, group));
      group.append(el("span", {}, "有帮助吗？"), up, down);
      box.append(group, el("div", { class: "note fb-status", role: "status" }, msg.feedback ? "谢谢你的反馈" : ""));
    }
    if (Array.isArray(msg.suggestions) && msg.suggestions.length) {
      const wrapS = el("div", { class: "suggest", role: "group", "aria-label": "你还可以问" });
      for (const q of msg.suggestions) {
        const b = el("button", { type: "button" }, q);
        b.addEventListener("click", () => { input.focus(); ask(q); });
        wrapS.appendChild(b);
      }
      box.appendChild(wrapS);
    }
    log.appendChild(box);
    return box;
  };

  // a long answer is read from its start: bring the new reply's top into view, not the log's end
  const show = (msg, keep = true) => {
    if (keep) { state.messages.push(msg); save(); }
    const node = renderMessage(msg);
    if (msg.role === "user") scrollDown();
    else log.scrollTop = Math.max(0, node.offsetTop - log.offsetTop - 8);
    return node;
  };

  const greet = () => {
    if (state.messages.length === 0) {
      renderMessage({ role: "bot", lead: GREETING,
        suggestions: ["借呗还款日当天几点前还不算逾期", "欠了2万逾期一个月罚多少", "借呗还不上了怎么办"] });
    }
  };

  let busy = false;
  const ask = async (text) => {
    const message = String(text || "").trim();
    if (!message || busy) return;
    if (message.length > MAX_CHARS) {
      show({ role: "bot", error: true, lead: `消息太长了，请控制在${MAX_CHARS}字以内。` }, false);
      return;
    }
    busy = true;
    send.disabled = true;
    const mine = { role: "user", text: message };
    const mineNode = show(mine, false);  // kept in the transcript only once the reply arrives
    status.textContent = "正在回复…";
    try {
      let res;
      try {
        res = await fetch(apiBase + "/api/chat", { method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ message, session_id: state.sessionId }) });
      } catch (_) {
        throw Object.assign(new Error("unreachable"), { unreachable: true });
      }
      let body = null;
      try { body = await res.json(); } catch (_) { body = null; }
      if (!res.ok || !body || typeof body.answer !== "string") {
        const zh = body && body.error && typeof body.error.zh === "string" ? body.error.zh : null;
        const wait = res.headers.get("Retry-After");
        throw Object.assign(new Error(zh ? zh + (wait ? `（约${wait}秒后可再试）` : "") : "服务暂时出错了，请稍后再试。"),
          { retryable: res.status >= 500 || res.status === 429 });
      }
      state.sessionId = body.session_id || state.sessionId;
      state.messages.push(mine);
      const reply = { role: "bot", lead: body.lead || body.answer, also: body.also, details: body.details || "",
        sources: body.sources, suggestions: body.suggestions, contacts: body.contacts, message_id: body.message_id,
        disclaimer: body.disclaimer };
      show(reply);
      announce("助手说：" + [reply.lead, ...(Array.isArray(reply.also) ? reply.also : [])].join(" "));
    } catch (err) {
      // the error is not saved into the transcript; the unsent text stays in the bubble and the input box
      mineNode.remove();
      const lead = err.unreachable ? "暂时连不上服务，消息没有发出去。请稍后点“重试”。" : String(err.message || err);
      show({ role: "bot", error: true, lead, retryText: err.unreachable || err.retryable ? message : null }, false);
      if (!input.value) input.value = message;
      announce(lead);
    } finally {
      status.textContent = "";
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
  const restart = () => {
    state.sessionId = null;
    state.messages = [];
    save();
    log.textContent = "";
    greet();
    announce("已开始新对话");
    input.focus();
  };

  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  closeBtn.addEventListener("click", close);
  newChat.addEventListener("click", restart);
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
    if (state.open || data.open === "true") { panel.hidden = false; launcher.setAttribute("aria-expanded", "true"); scrollDown(); }
  };
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
