// WizardConsole, browser side: the operator's screen. Loaded by anywidget; no build step (`h` is
// widgets/dom.js, put before this module by designkit.assets.widget_module).
//
// The page opens its own websocket to the Jupyter server's wizard relay
// (<base_url>designkit/wizard/<room>?role=console), authenticated like the server's kernel
// websockets (the page's token or login cookie), so a key press goes page -> server -> the
// participant's kernel without passing through this notebook's kernel. Everything a test or a
// benchmark may read lives in `state` (globalThis.__designkitWizard).

const epochMs = (timeStamp) => performance.timeOrigin + (timeStamp ?? performance.now());

function pageConfig() {
  const el = document.getElementById("jupyter-config-data");
  try { return el ? JSON.parse(el.textContent) : {}; } catch (_) { return {}; }
}

function relayUrl(path, room) {
  const cfg = pageConfig();
  let base = cfg.baseUrl || "/";
  if (!base.endsWith("/")) base += "/";
  const ws = cfg.wsUrl ? cfg.wsUrl.replace(/\/$/, "") : (location.protocol === "https:" ? "wss:" : "ws:") + "//" + location.host;
  const token = cfg.token ? "&token=" + encodeURIComponent(cfg.token) : "";
  return `${ws}${base}${path}/${encodeURIComponent(room)}?role=console${token}`;
}

const MODES = [["override", "override", "the policy runs; you act at any time"],
               ["veto", "veto", "each proposal waits for your approve / deny"],
               ["full", "full wizard", "the policy starts nothing; only you act"]];
const STATUS_TEXT = {
  connecting: "connecting to the relay…", waiting: "waiting for the session to start",
  operator: "attached: you are the operator", read_only: "read-only: another console is the operator",
  session_left: "the session ended", offline: "the relay is gone (the server stopped or the page lost its connection)",
};

function render({ model, el }) {
  const room = model.get("room");
  const state = {
    status: "connecting", role: null, points: [], hello: null, last: null, sent: [], presses: [],
    replies: 0, errors: [], closed: false,
  };
  let ws = null;

  // -- the view ------------------------------------------------------------------------------
  const statusEl = h("span", { class: "dkw-status" });
  const header = h("div", { class: "dkw-header" }, h("b", {}, "Wizard console · "), h("span", { class: "dkw-room" }, room), " ", statusEl);
  const canvas = h("canvas", { class: "dkw-timeline", width: "640", height: "90" });
  const proposalEl = h("div", { class: "dkw-proposal" }, "model: –");
  const decisionEl = h("div", { class: "dkw-decision" }, "policy: –");
  const saysEl = h("div", { class: "dkw-says" });
  const approve = h("button", { class: "dkw-approve", title: "A" }, "approve (A)");
  const deny = h("button", { class: "dkw-deny", title: "D" }, "deny (D)");
  const waitText = h("span", { class: "dkw-wait-text" });
  const waitBox = h("div", { class: "dkw-waiting" }, waitText, " ", approve, deny);
  const modeInputs = {};
  const modeBox = h("div", { class: "dkw-modes" }, h("b", {}, "mode "));
  for (const [value, label, tip] of MODES) {
    const input = h("input", { type: "radio", name: `dkw-mode-${room}-${Math.random()}`, value, class: `dkw-mode-${value}` });
    modeInputs[value] = input;
    modeBox.append(h("label", { title: tip }, input, " " + label), " ");
  }
  const vetoMs = h("input", { type: "number", min: "0", step: "100", class: "dkw-veto-ms", title: "how long a proposal waits (ms)" });
  const onTimeout = h("select", { class: "dkw-on-timeout" }, h("option", { value: "deny" }, "deny"), h("option", { value: "approve" }, "approve"));
  modeBox.append(h("label", {}, " wait ", vetoMs, " ms, then "), onTimeout);
  const palette = h("div", { class: "dkw-palette" });
  const lineInputs = [];
  const savePalette = h("button", { class: "dkw-save-palette" }, "save lines");
  const freeText = h("input", { type: "text", class: "dkw-free", placeholder: "type a line, Enter says it" });
  const sayBtn = h("button", { class: "dkw-say" }, "say");
  const verbs = {
    backchannel: h("button", { class: "dkw-backchannel", title: "B" }, "backchannel (B)"),
    interrupt: h("button", { class: "dkw-interrupt", title: "I" }, "interrupt now (I)"),
    hold: h("button", { class: "dkw-hold", title: "H" }, "hold (H)"),
    stop: h("button", { class: "dkw-yield", title: "Y" }, "yield (Y)"),
  };
  const noteText = h("input", { type: "text", class: "dkw-note-text", placeholder: "note (N)" });
  const noteBtn = h("button", { class: "dkw-note" }, "note");
  const actions = h("div", { class: "dkw-actions" }, ...Object.values(verbs), noteText, noteBtn);
  const history = h("ol", { class: "dkw-history" });
  const root = h("div", { class: "dkw-root" }, header, canvas,
    h("div", { class: "dkw-now" }, proposalEl, decisionEl, saysEl), waitBox, modeBox,
    h("div", { class: "dkw-section" }, h("b", {}, "lines "), h("small", {}, "1–9 say a line; edit and save them")), palette, savePalette,
    h("div", { class: "dkw-row" }, freeText, sayBtn), actions, h("b", {}, "what you did"), history);
  // Focus the console (click it) and JupyterLab's own shortcuts (1-9 change a cell's type) leave
  // its keys alone: Lumino skips shortcuts inside an element marked like this.
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.setAttribute("tabindex", "0");
  el.append(root);

  const table = model.get("colours");
  const colourOf = (key) => (table.reasons || {})[key] ?? (table.lanes || {})[key] ?? "#bbb";

  function show() {
    statusEl.textContent = STATUS_TEXT[state.status] ?? state.status;
    root.dataset.status = state.status;
    const canAct = state.status === "operator";
    for (const b of root.querySelectorAll("button, input, select")) b.disabled = !canAct;
    const w = state.last && state.last.waiting;
    waitBox.style.display = w ? "" : "none";
    if (w) waitText.textContent = `waiting: ${w.action}${w.content ? " “" + w.content + "”" : ""} (${w.reason}, ${w.confidence}) · ${(w.left_ms / 1000).toFixed(1)} s left`;
  }
  function setStatus(s) {
    state.status = s;
    if (model.get("status") !== s) { model.set("status", s); model.save_changes(); }
    show();
  }

  function setPalette(lines) {
    palette.replaceChildren();
    lineInputs.length = 0;
    lines.forEach((line, i) => {
      const input = h("input", { type: "text", class: "dkw-line-text" });
      input.value = line;
      lineInputs.push(input);
      palette.append(h("div", { class: "dkw-line" },
        h("button", { class: `dkw-line-say dkw-line-${i + 1}`, onclick: (e) => act("line", { line: i }, e) }, String(i + 1)), input));
    });
  }
  function setMode(msg) {
    for (const [value, input] of Object.entries(modeInputs)) input.checked = value === msg.mode;
    if (document.activeElement !== vetoMs) vetoMs.value = Math.round(msg.veto_ms);
    onTimeout.value = msg.on_timeout;
    root.dataset.mode = msg.mode;
  }

  // -- the timeline strip --------------------------------------------------------------------
  const g = canvas.getContext("2d");
  function draw() {
    const W = canvas.width, H = canvas.height, span = model.get("window_s");
    const pts = state.points;
    const dt = (state.hello && state.hello.dt) || 0.2;
    const tEnd = pts.length ? pts.at(-1).t + dt : span, t0 = Math.max(0, tEnd - span);
    const x0 = 48, px = (W - x0) / span;
    g.clearRect(0, 0, W, H); g.fillStyle = "#fafafa"; g.fillRect(0, 0, W, H);
    g.fillStyle = "#555"; g.font = "10px sans-serif";
    g.fillText("user", 2, 18); g.fillText("agent", 2, 40); g.fillText("decision", 2, 62);
    for (const p of pts) {
      if (p.t < t0) continue;
      const x = x0 + (p.t - t0) * px, w = Math.max(1, dt * px - 0.5);
      if (p.user) { g.fillStyle = colourOf("user speech"); g.fillRect(x, 8, w, 14); }
      if (p.agent) { g.fillStyle = colourOf("agent speech"); g.fillRect(x, 30, w, 14); }
      g.fillStyle = colourOf(p.gaps && p.gaps.length ? "silent:gap" : p.reason); g.fillRect(x, 52, w, 16);
    }
  }

  // -- the relay -----------------------------------------------------------------------------
  function send(msg) {
    if (!ws || ws.readyState !== 1) return false;
    ws.send(JSON.stringify(msg));
    return true;
  }
  // "What you did": each action, and once the session has it, how fast it came (the kernel's
  // reaction time: from the person's turn end, or from the proposal it answered).
  const done = new Map();
  function act(verb, extra = {}, ev = null) {
    if (state.status !== "operator") return;
    const at = epochMs(ev ? ev.timeStamp : undefined);
    const n = state.sent.length + 1;
    const msg = { type: "act", verb, n, t_click: at / 1000, ...extra };
    if (send(msg)) {
      state.sent.push({ n, verb, at, ...extra });
      const line = verb === "line" ? lineInputs[extra.line]?.value : extra.content || extra.note || "";
      const item = h("li", {}, `${new Date(at).toLocaleTimeString()} ${verb}${line ? " “" + line + "”" : ""}`,
        h("span", { class: "dkw-reaction" }));
      done.set(n, item);
      history.prepend(item);
      while (history.children.length > 12) { done.delete(Number(history.lastChild.dataset.n)); history.lastChild.remove(); }
      item.dataset.n = String(n);
    }
  }
  function acted(msg) {
    const sent = state.sent.find((s) => s.n === msg.n);
    if (sent) Object.assign(sent, { reaction_ms: msg.reaction_ms, reaction_from: msg.reaction_from });
    const item = done.get(msg.n);
    if (!item) return;
    const from = { turn_end: "after the turn end", proposal: "after the proposal" }[msg.reaction_from];
    item.querySelector(".dkw-reaction").textContent =
      msg.reaction_ms == null || !from ? "" : ` · ${(msg.reaction_ms / 1000).toFixed(2)} s ${from}`;
  }
  function onMessage(e) {
    let msg;
    try { msg = JSON.parse(e.data); } catch (_) { return; }
    state.replies += 1;
    if (msg.type === "relay") {
      if (msg.event === "operator" || msg.event === "read_only") {
        state.role = msg.event;
        setStatus(msg.event);
        if (msg.event === "operator") send({ type: "hello" });
      } else if (msg.event === "waiting") {
        if (state.role === "operator") setStatus("waiting");
      } else if (msg.event === "session_joined") {
        setStatus(state.role || "operator");
        send({ type: "hello" });
      } else if (msg.event === "session_left") {
        setStatus("session_left");
      }
      return;
    }
    if (msg.type === "hello") {
      state.hello = msg;
      setPalette(msg.palette);
      setMode(msg);
      show();
      return;
    }
    if (msg.type === "closed") { setStatus("session_left"); return; }
    if (msg.type === "acted") { acted(msg); return; }
    if (msg.type !== "point") return;
    state.last = msg;
    msg.receivedAt = epochMs();
    const p = msg.point;
    state.points.push(p);
    const keep = Math.ceil(model.get("window_s") / 0.2) + 5;
    if (state.points.length > keep) state.points.splice(0, state.points.length - keep);
    if (p.content && p.action !== "silent") saysEl.textContent = `agent: “${p.content}”`;
    const q = msg.proposal;
    proposalEl.textContent = `model proposes: ${q.action}` + (q.action !== "silent" ? ` · confidence ${q.confidence}` : "") +
      (q.content ? ` · “${q.content}”` : "") + (q.source ? ` · ${q.source}` : "");
    decisionEl.textContent = `policy: ${p.label ?? p.action} (${p.reason})` + (msg.hold ? " · HOLD" : "");
    decisionEl.style.borderLeftColor = colourOf(p.reason);
    setMode(msg);
    verbs.hold.textContent = msg.hold ? "release (H)" : "hold (H)";
    verbs.hold.classList.toggle("dkw-held", !!msg.hold);
    draw();
    show();
  }
  function connect() {
    try {
      ws = new WebSocket(relayUrl(model.get("relay_path"), room));
    } catch (err) {
      state.errors.push(String(err)); setStatus("offline"); return;
    }
    ws.onmessage = onMessage;
    ws.onclose = (e) => { if (!state.closed) { state.errors.push(`closed ${e.code} ${e.reason}`); setStatus(e.code === 4409 ? "refused" : "offline"); } };
    ws.onerror = () => state.errors.push("websocket error");
  }

  // -- the operator's hands ------------------------------------------------------------------
  approve.addEventListener("click", (e) => act("approve", { answers: state.last?.waiting?.index }, e));
  deny.addEventListener("click", (e) => act("deny", { answers: state.last?.waiting?.index }, e));
  verbs.backchannel.addEventListener("click", (e) => act("backchannel", {}, e));
  verbs.interrupt.addEventListener("click", (e) => interrupt(e));
  verbs.hold.addEventListener("click", (e) => act(state.last?.hold ? "release" : "hold", {}, e));
  verbs.stop.addEventListener("click", (e) => act("stop", {}, e));
  noteBtn.addEventListener("click", (e) => note(e));
  sayBtn.addEventListener("click", (e) => say(e));
  freeText.addEventListener("keydown", (e) => { if (e.key === "Enter") say(e); });
  noteText.addEventListener("keydown", (e) => { if (e.key === "Enter") note(e); });
  function say(e, interrupting = false) {
    const text = freeText.value.trim();
    if (!text) return;
    act("say", { content: text, interrupt: interrupting }, e);
    freeText.value = "";
  }
  function interrupt(e) {
    if (freeText.value.trim()) say(e, true);
    else act("interrupt", {}, e);
  }
  function note(e) {
    act("note", { note: noteText.value.trim() || "(note)" }, e);
    noteText.value = "";
  }
  savePalette.addEventListener("click", () => send({ type: "palette", lines: lineInputs.map((i) => i.value) }));
  for (const [value, input] of Object.entries(modeInputs)) {
    input.addEventListener("change", (e) => { if (input.checked) act("mode", { mode: value, veto_ms: Number(vetoMs.value), on_timeout: onTimeout.value }, e); });
  }
  vetoMs.addEventListener("change", (e) => act("mode", { mode: state.last?.mode ?? state.hello?.mode, veto_ms: Number(vetoMs.value), on_timeout: onTimeout.value }, e));
  onTimeout.addEventListener("change", (e) => act("mode", { mode: state.last?.mode ?? state.hello?.mode, veto_ms: Number(vetoMs.value), on_timeout: onTimeout.value }, e));

  const KEYS = { b: () => ["backchannel", {}], y: () => ["stop", {}], n: () => ["note", { note: "(note)" }],
    h: () => [state.last?.hold ? "release" : "hold", {}],
    a: () => ["approve", { answers: state.last?.waiting?.index }], d: () => ["deny", { answers: state.last?.waiting?.index }] };
  function onKey(e) {
    if (!model.get("hotkeys") || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    const target = e.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable)) return;
    if (!root.isConnected) return;
    const key = e.key.toLowerCase();
    let verb = null, extra = {};
    if (/^[1-9]$/.test(key) && Number(key) <= lineInputs.length) { verb = "line"; extra = { line: Number(key) - 1 }; }
    else if (key === "i") { interrupt(e); e.preventDefault(); e.stopPropagation(); return; }
    else if (KEYS[key]) [verb, extra] = KEYS[key]();
    if (!verb) return;
    e.preventDefault();
    e.stopPropagation();
    state.presses.push({ key, at: epochMs(e.timeStamp) });
    act(verb, { ...extra, key }, e);
  }
  // Capture phase: JupyterLab's own shortcuts (1-9 change a cell's type) must not see these keys.
  document.addEventListener("keydown", onKey, true);

  globalThis.__designkitWizard = globalThis.__designkitWizard || [];
  globalThis.__designkitWizard.push(state);
  setPalette([]);
  show();
  connect();

  return () => {
    state.closed = true;
    document.removeEventListener("keydown", onKey, true);
    if (ws) ws.close();
  };
}

export default { render };
